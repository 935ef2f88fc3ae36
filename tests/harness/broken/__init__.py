"""Deliberately broken migrators: the reference migrator with one classic mistake each.

Each module patches one function of `mock-okta migrate` and runs it:
`python -m tests.harness.broken.<mistake> <the migrate options>`.
"""
