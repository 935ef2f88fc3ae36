"""A small Python client for the control plane (`/_mock/*`), for tests and tools."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import requests

from mock_okta.tls import trust_env


class ControlError(RuntimeError):
    """The control plane refused a call; the message carries its explanation."""


class ControlClient:
    """`reset()`, `seed_users()`, `requests()`, `fault()`, `advance()`, `config()`, `stats()`."""

    def __init__(
        self,
        url: str,
        token: str,
        session: requests.Session | None = None,
        *,
        ca_file: str | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.ca_file = ca_file  # the CA of an https:// mock (mock-okta serve --tls)
        self.session = session or requests.Session()
        self.headers = {"Authorization": f"SSWS {token}", "Accept": "application/json"}

    def ca_env(self) -> dict[str, str]:
        """For a tool run against an https:// mock: REQUESTS_CA_BUNDLE, SSL_CERT_FILE and
        NODE_EXTRA_CA_CERTS naming its CA (empty for http://)."""
        return trust_env(self.ca_file) if self.ca_file else {}

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        if self.ca_file:  # per call: a REQUESTS_CA_BUNDLE in the environment beats session.verify
            kwargs["verify"] = self.ca_file
        response = self.session.request(
            method, f"{self.url}/_mock/{path}", headers=self.headers, timeout=60, **kwargs
        )
        if response.status_code >= 400:
            raise ControlError(f"{method} /_mock/{path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def reset(self) -> None:
        self._call("POST", "reset")

    def seed_users(self, users: Iterable[Mapping[str, object]]) -> list[dict[str, str]]:
        """Create users in one call (no rate limit); returns `[{"id", "login"}, …]`."""
        created: list[dict[str, str]] = self._call("POST", "users", json={"users": list(users)})[
            "users"
        ]
        return created

    def users(self) -> list[dict[str, Any]]:
        """Every user in the org (DEPROVISIONED included), without touching rate limits."""
        users: list[dict[str, Any]] = []
        params: dict[str, object] = {"limit": 200}
        while True:
            page = self._call("GET", "users", params=params)
            users.extend(page["users"])
            if page["next"] is None:
                return users
            params["after"] = page["next"]

    def groups(self) -> list[dict[str, Any]]:
        """Every group with its members' ids (`members` is null for Everyone: it has all)."""
        groups: list[dict[str, Any]] = []
        params: dict[str, object] = {"limit": 200}
        while True:
            page = self._call("GET", "groups", params=params)
            groups.extend(page["groups"])
            if page["next"] is None:
                return groups
            params["after"] = page["next"]

    def requests(self, **filters: object) -> list[dict[str, Any]]:
        """Every journal entry matching the filters (since, until, method, path, status)."""
        entries: list[dict[str, Any]] = []
        params = {k: v for k, v in filters.items() if v is not None}
        params.setdefault("limit", 1000)
        while True:
            page = self._call("GET", "requests", params=params)
            entries.extend(page["entries"])
            if page["next"] is None:
                return entries
            params["after"] = page["next"]

    def fault(self, **rule: object) -> dict[str, Any]:
        """Add a fault rule (see README: Fault injection); returns it with its id."""
        result: dict[str, Any] = self._call("POST", "faults", json=rule)
        return result

    def faults(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "faults")["faults"]
        return result

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def advance(self, seconds: float) -> None:
        self._call("POST", "clock", json={"advance": seconds})

    def config(self, **changes: object) -> dict[str, Any]:
        """The runtime configuration; with keyword arguments (wire names), change it first."""
        if changes:
            result: dict[str, Any] = self._call("PUT", "config", json=changes)
        else:
            result = self._call("GET", "config")
        return result

    def plan(self, **plan: object) -> dict[str, Any]:
        """Set the plan the dashboard draws (PUT /_mock/plan: users, series, label...)."""
        result: dict[str, Any] = self._call("PUT", "plan", json=plan)["plan"]
        return result

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "stats")
        return result
