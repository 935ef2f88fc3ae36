"""Custom legacy fields and legacy groups of a dataset: what they are, and drawing them.

A legacy system keeps more than Okta's default profile: a customer number that must be
unique, loyalty points, a newsletter flag, a tier from a fixed list, a favourite store. Each
must be a custom property in Okta's schema before a create uses it. `FIELDS` declares them as
the manifest does (`"fields"`), in Okta's terms; values are drawn from their own seeded Random,
so a dataset without them is byte for byte what it was.

Groups: a few large ones most customers are in, and a long tail of store groups; a few power
users are in more than 20 groups (Okta takes at most 20 `groupIds` on create).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import accumulate
from random import Random
from typing import Final

Field = dict[str, object]

TIERS: Final = ("bronze", "silver", "gold", "platinum")
FIELDS: Final[Mapping[str, Field]] = {
    "customerNumber": {"type": "string", "unique": True, "maxLength": 20},
    "loyaltyPoints": {"type": "integer"},
    "newsletter": {"type": "boolean"},
    "tier": {"type": "string", "enum": list(TIERS)},
    "favoriteStore": {"type": "string", "maxLength": 50},
}
TITLES: Final = {
    "customerNumber": "Customer number",
    "loyaltyPoints": "Loyalty points",
    "newsletter": "Newsletter subscriber",
    "tier": "Loyalty tier",
    "favoriteStore": "Favourite store",
}

LARGE_GROUPS: Final = (
    ("All customers", 0.9),
    ("Newsletter subscribers", 0.35),
    ("Mobile app users", 0.3),
    ("EU customers", 0.25),
    ("US customers", 0.2),
)
OVER_20_SHARE: Final = 0.03  # power users in 21 to 30 groups
OKTA_GROUP_IDS: Final = 20


def fields_rng(seed: int) -> Random:
    return Random(f"mock-okta fields {seed}")


def groups_rng(seed: int) -> Random:
    return Random(f"mock-okta groups {seed}")


def field_values(rng: Random, user_id: int) -> dict[str, object]:
    """A good record's custom values (favoriteStore is often unset)."""
    values: dict[str, object] = {
        "customerNumber": f"C{user_id:08d}",
        "loyaltyPoints": int(rng.random() ** 3 * 50_000),
        "newsletter": rng.random() < 0.35,
        "tier": rng.choices(TIERS, (55, 30, 12, 3))[0],
    }
    if rng.random() < 0.6:
        values["favoriteStore"] = f"Store {1 + int(rng.random() * 400):04d}"
    return values


def okta_attribute(name: str, field: Mapping[str, object]) -> dict[str, object]:
    """The custom schema property for a legacy field (SPEC UserSchemaAttribute)."""
    return {"title": TITLES.get(name, name), **field}


def value_problem(name: str, field: Mapping[str, object], value: object) -> str | None:
    """Why Okta would refuse `value` for the field, or None."""
    kind = field.get("type")
    fits = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
    }.get(str(kind), False)
    if not fits:
        return f"{name} is {value!r}, not a {kind}"
    enum = field.get("enum")
    if isinstance(enum, list) and value not in enum:
        return f"{name} is {value!r}, not one of {', '.join(map(str, enum))}"
    most = field.get("maxLength")
    if isinstance(most, int) and isinstance(value, str) and len(value) > most:
        return f"{name} has {len(value)} characters; at most {most}"
    return None


# ----- groups


def group_names(count: int) -> list[str]:
    """`count` legacy group names: the large groups first, then stores."""
    names = [name for name, _ in LARGE_GROUPS[:count]]
    names += [f"Store {n:04d} regulars" for n in range(1, count - len(names) + 1)]
    return names


class GroupDraw:
    """Draws each user's groups: large groups by share, store groups by a Zipf-like weight."""

    def __init__(self, rng: Random, names: Sequence[str], users: int) -> None:
        self.rng = rng
        self.names = list(names)
        self.large = list(zip(self.names, (s for _, s in LARGE_GROUPS), strict=False))
        self.tail = self.names[len(self.large) :]
        self.cumulative = list(accumulate(1 / (n + 1) ** 1.1 for n in range(len(self.tail))))
        over = max(1, round(users * OVER_20_SHARE)) if len(self.names) > OKTA_GROUP_IDS else 0
        self.power = set(rng.sample(range(users), min(over, users)))

    def _tail(self, k: int) -> list[str]:
        k = min(k, len(self.tail))
        if k > len(self.tail) // 2:
            return self.rng.sample(self.tail, k)
        picked: set[str] = set()
        while len(picked) < k:
            picked.add(self.rng.choices(self.tail, cum_weights=self.cumulative)[0])
        return list(picked)

    def groups(self, index: int) -> list[str]:
        """The groups of the index-th user, in the order of `names`."""
        chosen = [name for name, share in self.large if self.rng.random() < share]
        if index in self.power:
            wanted = OKTA_GROUP_IDS + 1 + int(self.rng.random() * 10)
            chosen += self._tail(max(wanted - len(chosen), 0))
        elif self.tail:
            chosen += self._tail(int(self.rng.random() ** 2 * 4))
        order = {name: n for n, name in enumerate(self.names)}
        return sorted(set(chosen), key=order.__getitem__)


def extras_manifest(
    custom_fields: bool, names: list[str], memberships: Mapping[int, int]
) -> dict[str, object]:
    """The manifest's `fields` (Okta property definitions) and `groups`, when the data has them."""
    out: dict[str, object] = {}
    if custom_fields:
        out["fields"] = {name: dict(field) for name, field in FIELDS.items()}
    if names:
        out["groups"] = {
            "names": names,
            "memberships": sum(n * users for n, users in memberships.items()),
            "usersInMoreThan20": sum(u for n, u in memberships.items() if n > OKTA_GROUP_IDS),
            "mostGroupsOfAUser": max(memberships, default=0),
        }
    return out
