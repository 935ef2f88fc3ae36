"""A legacy user's app accounts (`--apps`): which apps a dataset has and who has each.

A legacy system knows which downstream accounts a customer holds. In Okta these become app
assignments: some direct (the user is assigned to the app), some through a group (the app is
assigned to the group, and every member has it). The manifest declares the apps (`"apps"`),
each with the Okta app to create (`app`, matched to an existing one by `label`) and the legacy
groups it comes through (`groups`); each record lists its direct accounts (`"apps": [label…]`).
Drawn from their own seeded Random, so a dataset without apps is byte for byte what it was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from random import Random
from typing import Final

Json = dict[str, object]

# label -> (the Okta app to create, the legacy groups it comes through, share of direct users).
APPS: Final[Mapping[str, tuple[Json, tuple[str, ...], float]]] = {
    "Customer portal": (
        {
            "name": "bookmark",
            "label": "Customer portal",
            "signOnMode": "BOOKMARK",
            "settings": {"app": {"url": "https://portal.example.com/"}},
        },
        (),
        0.6,
    ),
    "Microsoft 365": (
        {
            "name": "office365",
            "label": "Microsoft 365",
            "signOnMode": "SAML_1_1",
            "settings": {"app": {"domain": "example.onmicrosoft.com", "msftTenant": "example"}},
        },
        ("All customers",),
        0.05,  # a few outside the group have it directly
    ),
    "Store locator": (
        {
            "name": "bookmark",
            "label": "Store locator",
            "signOnMode": "BOOKMARK",
            "settings": {"app": {"url": "https://stores.example.com/"}},
        },
        ("Mobile app users",),
        0.0,
    ),
}


def apps_rng(seed: int) -> Random:
    return Random(f"mock-okta apps {seed}")


def app_groups(group_names: Sequence[str]) -> dict[str, list[str]]:
    """Each app's groups that the dataset has (an app without its group is direct only)."""
    have = set(group_names)
    return {label: [g for g in groups if g in have] for label, (_, groups, _) in APPS.items()}


def direct_apps(rng: Random) -> list[str]:
    """A user's direct app accounts, in APPS order (one draw per app, always)."""
    return [label for label, (_, _, share) in APPS.items() if rng.random() < share]


def apps_manifest(group_names: Sequence[str]) -> list[Json]:
    """The manifest's `apps`: what to create in Okta and which groups bring each."""
    groups = app_groups(group_names)
    return [
        {"label": label, "app": dict(app), "groups": groups[label]}
        for label, (app, _, _) in APPS.items()
    ]


def accounts(
    direct: Sequence[str] | None,
    groups: Sequence[str] | None,
    manifest: Sequence[Mapping[str, object]],
) -> dict[str, str]:
    """A user's app accounts: label -> "USER" (direct, which wins) or "GROUP", as Okta scopes."""
    out: dict[str, str] = {}
    member = set(groups or ())
    for entry in manifest:
        label = str(entry.get("label"))
        through = entry.get("groups")
        if isinstance(through, list) and member & {str(g) for g in through}:
            out[label] = "GROUP"
    for label in direct or ():
        out[label] = "USER"
    return out
