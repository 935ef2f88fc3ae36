"""Okta's rate limits: buckets, per-minute profiles, and the limiter.

Per-minute defaults are Okta's published ones (reference.md §5, OLD-RL `rl-global-mgmt`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

BUCKETS: Final = ("users.collection", "users.get", "users.update", "authn", "api.default")

PROFILES: Final[Mapping[str, Mapping[str, int]]] = {
    "workforce": {
        "users.collection": 600,
        "users.get": 2000,
        "users.update": 600,
        "authn": 500,
        "api.default": 1200,
        "concurrency": 75,
    },
    "customer-identity": {
        "users.collection": 600,
        "users.get": 1000,
        "users.update": 600,
        "authn": 600,
        "api.default": 600,
        "concurrency": 75,
    },
    "one-app": {
        "users.collection": 600,
        "users.get": 1000,
        "users.update": 600,
        "authn": 600,
        "api.default": 600,
        # PARITY: current docs give 75 or 35 by plan; One App's 35 is from the older docs.
        "concurrency": 35,
    },
    "integrator-free": {
        "users.collection": 100,
        "users.get": 100,
        "users.update": 100,
        "authn": 100,
        "api.default": 100,
        "concurrency": 35,
    },
    "off": {},
}
