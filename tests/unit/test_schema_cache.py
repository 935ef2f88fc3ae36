"""Profile validation reads no schema per request: the compiled schemas are loaded once per
process, and again only after a change (in this process or, by the generation, another)."""

from __future__ import annotations

import pytest

from mock_okta.org import Org
from mock_okta.schema import UserSchema
from tests.helpers import attribute, profile, schema_change


def test_the_schema_is_loaded_once_until_it_changes(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = org.store
    loads = []
    original = store.schemas._load

    def counted() -> dict[str, UserSchema]:
        loads.append(1)
        return dict(original())

    monkeypatch.setattr(store.schemas, "_load", counted)
    store.schemas.invalidate()
    for n in range(50):
        store.create_user(profile(f"user{n}@example.com"))
    assert len(loads) == 1
    store.update_user_profile("default", schema_change(tier=attribute()))
    store.create_user(profile("tiered@example.com", tier="gold"))
    assert len(loads) == 2
    org.configure({"lockoutAttempts": 3})  # any shared change moves the generation
    org.sync()
    store.create_user(profile("again@example.com", tier="gold"))
    assert len(loads) == 3
