"""Locust load scenarios (shipped as mock_okta.load)."""
