"""The Users API through Flask's test client (reference.md §1, §3)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from flask.testing import FlaskClient

from mock_okta.clock import ManualClock
from mock_okta.org import Org
from tests.conftest import Api
from tests.helpers import (
    DUPLICATE_LOGIN,
    PASSWORD,
    TIMESTAMP,
    USER_ID,
    as_returned,
    assert_error,
    bcrypt_hash,
    profile,
    sha_hash,
    with_hash,
    with_password,
)

NOW = "2023-11-14T22:13:20.000Z"  # the ManualClock's start, in Okta's format
INVALID_SEARCH = "Invalid search criteria."
INVALID_PAGING = "Invalid paging request."
SEARCH_AND_FILTER = "Bad request. Can't specify a search query and filter in the same request."


def create(api: Api, login: str, query: str = "", **extra: Any) -> dict[str, Any]:
    response = api.create_user(login, query, **extra)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


# ----- create


@pytest.mark.parametrize(
    ("query", "credentials", "status"),
    [
        ("", with_password(), "ACTIVE"),
        ("?activate=true", None, "PROVISIONED"),
        ("?activate=false", with_password(), "STAGED"),
        ("?activate=false", None, "STAGED"),
        ("?activate=true&nextLogin=changePassword", with_password(), "PASSWORD_EXPIRED"),
        ("", with_hash(sha_hash(PASSWORD)), "ACTIVE"),
        ("?activate=false", with_hash(sha_hash(PASSWORD)), "STAGED"),
    ],
)
def test_create_status_follows_activate_and_password(
    api: Api, query: str, credentials: dict[str, object] | None, status: str
) -> None:
    extra = {"credentials": credentials} if credentials else {}
    assert create(api, "isaac.brock@example.com", query, **extra)["status"] == status


def test_create_with_provider_and_no_password_is_active(api: Api) -> None:
    credentials = {"provider": {"type": "FEDERATION", "name": "FEDERATION"}}
    user = create(api, "fed@example.com", "?provider=true", credentials=credentials)
    assert user["status"] == "ACTIVE"
    assert user["credentials"] == {"provider": {"type": "FEDERATION", "name": "FEDERATION"}}


def spec_causes(okta_spec: dict[str, Any], example: str) -> list[str]:
    """The errorCauses of one of the SPEC's error examples."""
    value = okta_spec["components"]["examples"][example]["value"]
    return [c["errorSummary"] for c in value["errorCauses"]]


def test_next_login_without_activate_is_e0000125(
    api: Api, org: Org, okta_spec: dict[str, Any]
) -> None:
    response = api.create_user(
        "isaac@example.com",
        "?activate=false&nextLogin=changePassword",
        credentials=with_password(),
    )
    summary = (
        "Could not create user. To create a user and expire their password immediately,"
        ' "activate" must be true'
    )
    causes = spec_causes(okta_spec, "ErrorCreateUserWithExpiredPasswordWithoutActivation")
    assert causes == [
        "Could not create user. To create a user and expire their password immediately,"
        " `activate` must be true."
    ]
    assert_error(response, 400, "E0000125", summary, causes)
    assert org.store.count_users() == 0


def test_next_login_without_password_is_e0000124(
    api: Api, org: Org, okta_spec: dict[str, Any]
) -> None:
    response = api.create_user("isaac@example.com", "?nextLogin=changePassword")
    summary = (
        "Could not create user. To create a user and expire their password immediately,"
        " a password must be specified"
    )
    causes = spec_causes(okta_spec, "ErrorCreateUserWithExpiredPasswordWithNullPassword")
    assert_error(response, 400, "E0000124", summary, causes)
    assert org.store.count_users() == 0


def test_new_staged_user_has_oktas_shape(api: Api) -> None:
    user = create(api, "isaac.brock@example.com", "?activate=false")
    assert USER_ID.match(user["id"])
    assert list(user) == [
        "id",
        "status",
        "created",
        "activated",
        "statusChanged",
        "lastLogin",
        "lastUpdated",
        "passwordChanged",
        "type",
        "profile",
        "credentials",
        "_links",
    ]
    # statusChanged is the created time (recordings of real orgs, 2025); activated stays null.
    assert user["created"] == user["lastUpdated"] == user["statusChanged"] == NOW
    assert user["activated"] is user["lastLogin"] is None
    assert user["passwordChanged"] is None
    assert re.match(r"^oty[A-Za-z0-9]{17}$", user["type"]["id"])
    assert user["profile"] == as_returned(profile("isaac.brock@example.com"))
    # Key order as real orgs send it; mobilePhone and secondEmail are null, never missing.
    assert list(user["profile"]) == [
        "firstName",
        "lastName",
        "mobilePhone",
        "secondEmail",
        "login",
        "email",
    ]
    # No password: `password` is absent, the provider is OKTA.
    assert user["credentials"] == {"provider": {"type": "OKTA", "name": "OKTA"}}
    href = f"http://localhost/api/v1/users/{user['id']}"
    schema = f"http://localhost/api/v1/meta/schemas/user/osc{user['type']['id'][3:]}"
    assert user["_links"] == {
        "activate": {"href": f"{href}/lifecycle/activate", "method": "POST"},
        "resetFactors": {"href": f"{href}/lifecycle/reset_factors", "method": "POST"},
        "schema": {"href": schema},
        "type": {"href": f"http://localhost/api/v1/meta/types/user/{user['type']['id']}"},
        "self": {"href": href},
    }


def test_active_user_with_password_has_timestamps_and_empty_password(api: Api) -> None:
    user = create(api, "isaac.brock@example.com", credentials=with_password())
    for field in ("created", "activated", "statusChanged", "lastUpdated", "passwordChanged"):
        assert TIMESTAMP.match(user[field]), field
        assert user[field] == NOW
    assert user["lastLogin"] is None
    assert user["credentials"] == {
        "password": {},
        "provider": {"type": "OKTA", "name": "OKTA"},
    }


@pytest.mark.parametrize(
    "password",
    [
        {"hash": sha_hash(PASSWORD)},
        {"hash": bcrypt_hash(PASSWORD)},
        {"hook": {"type": "default"}},
    ],
    ids=["sha256", "bcrypt", "hook"],
)
def test_imported_password_gives_provider_import(api: Api, password: dict[str, object]) -> None:
    user = create(api, "isaac@example.com", credentials={"password": password})
    assert user["credentials"] == {
        "password": {},
        "provider": {"type": "IMPORT", "name": "IMPORT"},
    }
    assert user["passwordChanged"] == NOW


def test_password_is_never_returned(api: Api) -> None:
    user = create(api, "isaac@example.com", credentials=with_hash(sha_hash(PASSWORD)))
    text = api.call("GET", f"/api/v1/users/{user['id']}").get_data(as_text=True)
    assert str(sha_hash(PASSWORD)["value"]) not in text
    assert "MPu13OmY" not in text


def test_recovery_question_returns_only_the_question(api: Api) -> None:
    credentials = {
        **with_password(),
        "recovery_question": {"question": "Favourite band?", "answer": "Modest Mouse"},
    }
    user = create(api, "isaac@example.com", credentials=credentials)
    assert user["credentials"]["recovery_question"] == {"question": "Favourite band?"}


def test_password_breaking_the_default_policy_is_refused(api: Api, org: Org) -> None:
    response = api.create_user("isaac@example.com", credentials=with_password("short"))
    assert response.status_code == 400
    assert response.get_json()["errorCode"] == "E0000001"
    assert org.store.count_users() == 0


# ----- duplicate logins


def test_duplicate_login_is_e0000001_with_oktas_cause(api: Api, org: Org) -> None:
    create(api, "isaac.brock@example.com")
    response = api.create_user("isaac.brock@example.com")
    assert_error(response, 400, "E0000001", "Api validation failed: login", [DUPLICATE_LOGIN])
    assert org.store.count_users() == 1


@pytest.mark.parametrize(
    "other", ["ISAAC.Brock@Example.COM", "ísaac.bröck@example.com", "Ísaac.Brock@example.com"]
)
def test_login_uniqueness_ignores_case_and_diacritics(api: Api, other: str) -> None:
    create(api, "isaac.brock@example.com")
    response = api.create_user(other)
    assert_error(response, 400, "E0000001", "Api validation failed: login", [DUPLICATE_LOGIN])


def test_update_to_an_existing_login_is_refused(api: Api) -> None:
    create(api, "first@example.com")
    second = create(api, "second@example.com")
    response = api.call(
        "POST", f"/api/v1/users/{second['id']}", {"profile": {"login": "FIRST@example.com"}}
    )
    assert_error(response, 400, "E0000001", "Api validation failed: login", [DUPLICATE_LOGIN])
    assert api.call("GET", f"/api/v1/users/{second['id']}").get_json()["profile"]["login"] == (
        "second@example.com"
    )


# ----- get


def test_get_by_id_url_encoded_login_and_short_name(api: Api) -> None:
    user = create(api, "isaac.brock@example.com")
    for ref in (user["id"], quote("isaac.brock@example.com"), "isaac.brock", "ISAAC.BROCK"):
        response = api.call("GET", f"/api/v1/users/{ref}")
        assert response.status_code == 200, ref
        assert response.get_json()["id"] == user["id"]


def test_get_unknown_user_is_e0000007(api: Api) -> None:
    response = api.call("GET", "/api/v1/users/00uNOBODYNOBODYNOBOD")
    assert_error(
        response, 404, "E0000007", "Not found: Resource not found: 00uNOBODYNOBODYNOBOD (User)"
    )


def test_short_name_shared_by_two_users_is_not_found(api: Api) -> None:
    create(api, "isaac@example.com")
    create(api, "isaac@example.org")
    assert api.call("GET", "/api/v1/users/isaac").status_code == 404


def test_get_has_a_weak_etag_that_changes_on_update(api: Api) -> None:
    user = create(api, "isaac@example.com")
    first = api.call("GET", f"/api/v1/users/{user['id']}").headers["ETag"]
    assert re.match(r'^W/".+"$', first)
    api.call("POST", f"/api/v1/users/{user['id']}", {"profile": {"nickName": "Ike"}})
    second = api.call("GET", f"/api/v1/users/{user['id']}").headers["ETag"]
    assert second != first


def test_if_match_with_a_stale_etag_is_refused(api: Api) -> None:
    user = create(api, "isaac@example.com")
    response = api.call(
        "POST",
        f"/api/v1/users/{user['id']}",
        {"profile": {"nickName": "Ike"}},
        headers={"If-Match": 'W/"stale"'},
    )
    assert response.status_code == 412
    assert response.get_json()["errorCode"] == "E0000231"


# ----- links


def links(user: dict[str, Any]) -> set[str]:
    return set(user["_links"])


def test_links_follow_the_status(api: Api) -> None:
    staged = create(api, "staged@example.com", "?activate=false")
    active = create(api, "active@example.com", credentials=with_password())
    assert "activate" in links(staged)
    assert not {"suspend", "unsuspend", "unlock"} & links(staged)
    assert {"suspend", "deactivate", "resetPassword", "expirePassword", "changePassword"} <= (
        links(active)
    )
    assert not {"activate", "unsuspend", "unlock"} & links(active)
    api.call("POST", f"/api/v1/users/{active['id']}/lifecycle/suspend")
    suspended = api.call("GET", f"/api/v1/users/{active['id']}").get_json()
    assert "unsuspend" in links(suspended)
    assert "suspend" not in links(suspended)
    href = f"http://localhost/api/v1/users/{active['id']}"
    assert suspended["_links"]["self"] == {"href": href}
    assert suspended["_links"]["unsuspend"] == {
        "href": f"{href}/lifecycle/unsuspend",
        "method": "POST",
    }


# The full sets recorded from real orgs (okta-sdk-python's cassettes, 2025).
RECORDED_LINKS = {
    "ACTIVE": {
        "changePassword", "changeRecoveryQuestion", "deactivate", "expirePassword",
        "forgotPassword", "resetFactors", "resetPassword", "schema", "self", "suspend", "type",
    },
    "STAGED": {"activate", "resetFactors", "schema", "self", "type"},
    "SUSPENDED": {"deactivate", "resetFactors", "schema", "self", "type", "unsuspend"},
    "PASSWORD_EXPIRED": {
        "changePassword", "changeRecoveryQuestion", "deactivate", "expirePassword",
        "forgotPassword", "resetFactors", "resetPassword", "schema", "self", "suspend", "type",
    },
}  # fmt: skip


@pytest.mark.parametrize(
    ("status", "query", "steps"),
    [
        ("ACTIVE", "", []),
        ("STAGED", "?activate=false", []),
        ("SUSPENDED", "", ["suspend"]),
        ("PASSWORD_EXPIRED", "", ["expire_password"]),
    ],
)
def test_links_of_each_status_are_the_recorded_ones(
    api: Api, status: str, query: str, steps: list[str]
) -> None:
    uid = create(api, f"{status.lower()}@example.com", query, credentials=with_password())["id"]
    for step in steps:
        assert api.call("POST", f"/api/v1/users/{uid}/lifecycle/{step}").status_code == 200
    user = api.call("GET", f"/api/v1/users/{uid}").get_json()
    assert user["status"] == status
    assert links(user) == RECORDED_LINKS[status]


def test_every_user_object_carries_mobile_phone_and_second_email(api: Api) -> None:
    created = api.create_user("isaac@example.com", credentials=with_password())
    uid = created.get_json()["id"]
    ref = f"/api/v1/users/{uid}"
    answers = {
        "create": created,
        "get": api.call("GET", ref),
        "get by login": api.call("GET", "/api/v1/users/isaac@example.com"),
        "update": api.call("POST", ref, {"profile": {"nickName": "Ike"}}),
        "replace": api.call("PUT", ref, {"profile": profile("isaac@example.com")}),
        "expire_password": api.call("POST", f"{ref}/lifecycle/expire_password"),
    }
    objects = {name: response.get_json() for name, response in answers.items()}
    for name, response in answers.items():
        assert response.status_code == 200, name
    objects |= {
        "list item": api.call("GET", "/api/v1/users").get_json()[0],
        "search item": api.call("GET", "/api/v1/users?search=status pr").get_json()[0],
        "control plane": api.call("GET", "/_mock/users").get_json()["users"][0],
    }
    for name, user in objects.items():
        assert user["id"] == uid, name
        assert user["profile"]["mobilePhone"] is None, name
        assert user["profile"]["secondEmail"] is None, name
    phoned = api.call("POST", ref, {"profile": {"mobilePhone": "555-415-1337"}}).get_json()
    assert phoned["profile"]["mobilePhone"] == "555-415-1337"
    assert phoned["profile"]["secondEmail"] is None


def test_collection_items_carry_only_self(api: Api) -> None:
    user = create(api, "isaac@example.com", credentials=with_password())
    [item] = api.call("GET", "/api/v1/users").get_json()
    assert item["_links"] == {"self": {"href": f"http://localhost/api/v1/users/{user['id']}"}}
    assert {k: v for k, v in item.items() if k != "_links"} == {
        k: v for k, v in user.items() if k != "_links"
    }


# ----- list: paging


def seed(org: Org, n: int, status: str = "ACTIVE", prefix: str = "user") -> list[str]:
    users = org.store.seed_users(
        [{"profile": profile(f"{prefix}{i:04d}@example.com"), "status": status} for i in range(n)]
    )
    return [u.id for u in users]


def link_header(response: Any) -> dict[str, str]:
    out = {}
    for value in response.headers.getlist("Link"):
        match = re.fullmatch(r'<([^>]+)>; rel="(self|next)"', value)
        assert match, value
        out[match.group(2)] = match.group(1)
    return out


def test_limit_defaults_to_200_and_pages_with_next(api: Api, org: Org) -> None:
    ids = seed(org, 205)
    first = api.call("GET", "/api/v1/users")
    page = first.get_json()
    assert len(page) == 200
    rels = link_header(first)
    assert rels["self"] == "http://localhost/api/v1/users?limit=200"
    assert rels["next"] == f"http://localhost/api/v1/users?after={page[-1]['id']}&limit=200"
    second = api.call("GET", rels["next"].removeprefix("http://localhost"))
    rest = second.get_json()
    assert len(rest) == 5
    assert set(link_header(second)) == {"self"}  # the end: no next
    assert sorted(u["id"] for u in page + rest) == sorted(ids)


def test_limit_above_200_is_capped(api: Api, org: Org) -> None:
    seed(org, 203)
    assert len(api.call("GET", "/api/v1/users?limit=1000").get_json()) == 200


def test_cursor_walk_visits_every_user_once(api: Api, org: Org) -> None:
    ids = seed(org, 7)
    seen: list[str] = []
    path: str | None = "/api/v1/users?limit=3"
    pages = 0
    while path:
        response = api.call("GET", path)
        assert response.status_code == 200
        batch = response.get_json()
        assert len(batch) <= 3
        seen += [u["id"] for u in batch]
        nxt = link_header(response).get("next")
        path = nxt.removeprefix("http://localhost") if nxt else None
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))


def test_exact_last_page_has_no_next(api: Api, org: Org) -> None:
    seed(org, 4)
    response = api.call("GET", "/api/v1/users?limit=4")
    assert len(response.get_json()) == 4
    assert "next" not in link_header(response)


def test_next_link_keeps_the_filter(api: Api, org: Org) -> None:
    seed(org, 3)
    response = api.call("GET", "/api/v1/users?limit=2&filter=" + quote('status eq "ACTIVE"'))
    query = parse_qs(urlsplit(link_header(response)["next"]).query)
    assert query["filter"] == ['status eq "ACTIVE"']
    assert query["limit"] == ["2"]


@pytest.mark.parametrize("limit", ["abc", "0", "-1", "1.5"])
def test_bad_limit_is_e0000029(api: Api, limit: str) -> None:
    assert_error(api.call("GET", f"/api/v1/users?limit={limit}"), 400, "E0000029", INVALID_PAGING)


def test_plain_listing_leaves_out_deprovisioned(api: Api, org: Org) -> None:
    active = seed(org, 2)
    gone = seed(org, 1, status="DEPROVISIONED", prefix="gone")
    listed = {u["id"] for u in api.call("GET", "/api/v1/users").get_json()}
    assert listed == set(active)
    filtered = api.call("GET", "/api/v1/users?filter=" + quote('status eq "DEPROVISIONED"'))
    assert [u["id"] for u in filtered.get_json()] == gone
    searched = api.call("GET", "/api/v1/users?search=" + quote('status eq "DEPROVISIONED"'))
    assert [u["id"] for u in searched.get_json()] == gone


# ----- list: filter, search, q


@pytest.fixture
def people(api: Api, org: Org, clock: ManualClock) -> dict[str, str]:
    """Four users created a minute apart; `gone` is DEPROVISIONED."""
    ids: dict[str, str] = {}
    for name, first, last in (
        ("isaac", "Isaac", "Brock"),
        ("eric", "Eric", "Judy"),
        ("jeremiah", "Jeremiah", "Green"),
        ("gone", "Tom", "Peloso"),
    ):
        login = f"{name}@example.com"
        ids[name] = create(
            api,
            login,
            credentials=with_password(),
            profile={"firstName": first, "lastName": last, "email": f"{name}@mail.example.org"},
        )["id"]
        clock.advance(60)
    api.call("POST", f"/api/v1/users/{ids['gone']}/lifecycle/deactivate")
    return ids


def listed(api: Api, **params: str) -> set[str]:
    query = "&".join(f"{k}={quote(v)}" for k, v in params.items())
    response = api.call("GET", f"/api/v1/users?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {u["id"] for u in response.get_json()}


def test_filter_eq_on_each_property(api: Api, people: dict[str, str]) -> None:
    assert listed(api, filter='status eq "ACTIVE"') == {
        people["isaac"],
        people["eric"],
        people["jeremiah"],
    }
    assert listed(api, filter='profile.login eq "eric@example.com"') == {people["eric"]}
    assert listed(api, filter='profile.email eq "jeremiah@mail.example.org"') == {
        people["jeremiah"]
    }
    assert listed(api, filter=f'id eq "{people["isaac"]}"') == {people["isaac"]}
    assert listed(api, filter='profile.firstName eq "Eric"') == {people["eric"]}
    assert listed(api, filter='profile.lastName eq "Green"') == {people["jeremiah"]}


def test_filter_last_updated_comparisons(api: Api, people: dict[str, str]) -> None:
    # isaac at 22:13:20, eric 22:14:20, jeremiah 22:15:20; gone was updated at deactivation.
    eric_time = "2023-11-14T22:14:20.000Z"
    assert listed(api, filter=f'lastUpdated lt "{eric_time}"') == {people["isaac"]}
    assert listed(api, filter=f'lastUpdated le "{eric_time}"') == {people["isaac"], people["eric"]}
    assert listed(api, filter=f'lastUpdated gt "{eric_time}"') == {
        people["jeremiah"],
        people["gone"],
    }
    assert listed(api, filter=f'lastUpdated ge "{eric_time}"') == {
        people["eric"],
        people["jeremiah"],
        people["gone"],
    }
    assert listed(api, filter=f'lastUpdated eq "{eric_time}"') == {people["eric"]}


def test_filter_and_or(api: Api, people: dict[str, str]) -> None:
    assert listed(
        api, filter='status eq "ACTIVE" and lastUpdated gt "2023-11-14T22:14:00.000Z"'
    ) == {people["eric"], people["jeremiah"]}
    assert listed(
        api, filter='profile.login eq "isaac@example.com" or profile.login eq "eric@example.com"'
    ) == {people["isaac"], people["eric"]}
    assert listed(
        api,
        filter='(status eq "DEPROVISIONED" or profile.firstName eq "Eric")'
        ' and lastUpdated gt "2023-11-14T22:14:00.000Z"',
    ) == {people["eric"], people["gone"]}


@pytest.mark.parametrize(
    "expression",
    [
        'profile.firstName sw "Is"',
        'profile.login co "example"',
        'not (status eq "ACTIVE")',
        'profile.city eq "Issaquah"',
        'status gt "ACTIVE"',
        'lastUpdated gt "yesterday"',
        'status eq "ACTIVE" and',
        'status eq "ACTIVE',
        "status",
        "",
    ],
)
def test_unsupported_filter_is_e0000031(api: Api, expression: str) -> None:
    response = api.call("GET", "/api/v1/users?filter=" + quote(expression))
    assert_error(response, 400, "E0000031", INVALID_SEARCH)


def test_search_operators(api: Api, people: dict[str, str]) -> None:
    assert listed(api, search='profile.firstName eq "eric"') == {people["eric"]}
    assert listed(api, search='profile.lastName sw "gr"') == {people["jeremiah"]}
    assert listed(api, search='profile.login co "MIAH"') == {people["jeremiah"]}
    assert listed(api, search='profile.email co "mail.example"') == set(people.values())
    assert listed(api, search='status eq "active" and profile.firstName sw "Is"') == {
        people["isaac"]
    }
    assert listed(api, search='lastUpdated lt "2023-11-14T22:14:00.000Z"') == {people["isaac"]}


def test_search_values_keep_diacritics(api: Api, org: Org) -> None:
    # Search is case-insensitive, but diacritical marks are significant (SPEC listUsers).
    accented = create(api, "ísaac.bröck@example.com")["id"]
    plain = create(api, "isaac.brock@example.org")["id"]
    assert listed(api, search='profile.login eq "ÍSAAC.BRÖCK@example.com"') == {accented}
    assert listed(api, search='profile.login eq "isaac.brock@example.com"') == set()
    assert listed(api, search='profile.login sw "isaac.brock@"') == {plain}


def test_backslash_in_a_quoted_value_is_unescaped(api: Api) -> None:
    # A value ending in a backslash is written `\\` inside the quotes; `\"` is a quote.
    back = create(api, "back@example.com", profile={"lastName": "Smith\\"})["id"]
    quote_user = create(api, "quote@example.com", profile={"lastName": 'Say "hi"'})["id"]
    assert listed(api, search='profile.lastName eq "Smith\\\\"') == {back}
    assert listed(api, filter='profile.lastName eq "smith\\\\"') == {back}
    assert listed(api, search='profile.lastName sw "smith\\\\"') == {back}
    assert listed(api, search='profile.lastName eq "Smith"') == set()
    assert listed(api, search='profile.lastName eq "say \\"HI\\""') == {quote_user}
    assert listed(api, search='profile.lastName co "\\"hi\\""') == {quote_user}


def test_search_past_its_time_budget_is_e0000100(api: Api, org: Org) -> None:
    api.call("PUT", "/_mock/config", json={"rateLimits": "off"})  # 300 creates, then reads
    for i in range(300):
        create(api, f"budget.{i}@example.com")
    slow = " or ".join(
        ['created lt "2000-01-01T00:00:00.000Z"']
        + [f'profile.lastName sw "zz{i}"' for i in range(99)]
    )
    assert listed(api, search=slow) == set()  # within the default budget
    configured = api.call("PUT", "/_mock/config", json={"searchBudgetMs": 1})
    assert configured.get_json()["searchBudgetMs"] == 1
    response = api.call("GET", "/api/v1/users?search=" + quote(slow))
    assert_error(response, 503, "E0000100", "Unable to perform search query.")
    assert api.call("GET", "/api/v1/users/budget.7@example.com").status_code == 200
    refused = api.call("PUT", "/_mock/config", json={"searchBudgetMs": 0})
    assert refused.status_code == 400


def test_search_co_on_other_properties_is_e0000031(api: Api) -> None:
    response = api.call("GET", "/api/v1/users?search=" + quote('profile.city co "Issa"'))
    assert_error(response, 400, "E0000031", INVALID_SEARCH)


def test_search_and_filter_together_is_e0000033(api: Api) -> None:
    response = api.call(
        "GET",
        "/api/v1/users?search="
        + quote('status eq "ACTIVE"')
        + "&filter="
        + quote('status eq "ACTIVE"'),
    )
    assert_error(response, 400, "E0000033", SEARCH_AND_FILTER)


def test_q_is_a_prefix_match_without_deprovisioned(api: Api, people: dict[str, str]) -> None:
    assert listed(api, q="je") == {people["jeremiah"]}
    assert listed(api, q="jud") == {people["eric"]}
    assert listed(api, q="isaac@mail") == {people["isaac"]}
    assert listed(api, q="tom") == set()  # gone is DEPROVISIONED
    assert listed(api, q="ric") == set()  # a prefix, not a substring


def test_q_defaults_to_10_and_has_no_next(api: Api, org: Org) -> None:
    seed(org, 12)
    response = api.call("GET", "/api/v1/users?q=Isaac")
    assert len(response.get_json()) == 10
    assert "next" not in link_header(response)


# ----- update and replace


def test_post_is_a_partial_update(api: Api, clock: ManualClock) -> None:
    user = create(api, "isaac@example.com", credentials=with_password())
    clock.advance(5)
    response = api.call(
        "POST", f"/api/v1/users/{user['id']}", {"profile": {"nickName": "Ike", "lastName": "B"}}
    )
    assert response.status_code == 200
    updated = response.get_json()
    assert updated["profile"] == {**user["profile"], "nickName": "Ike", "lastName": "B"}
    assert updated["lastUpdated"] == "2023-11-14T22:13:25.000Z"
    assert updated["credentials"] == user["credentials"]


def test_post_with_null_removes_a_property(api: Api) -> None:
    user = create(api, "isaac@example.com", profile={"nickName": "Ike"})
    response = api.call("POST", f"/api/v1/users/{user['id']}", {"profile": {"nickName": None}})
    assert "nickName" not in response.get_json()["profile"]


def test_put_replaces_the_whole_profile(api: Api) -> None:
    user = create(api, "isaac@example.com", profile={"nickName": "Ike", "city": "Issaquah"})
    replacement = profile("isaac@example.com", firstName="Ike")
    response = api.call("PUT", f"/api/v1/users/{user['id']}", {"profile": replacement})
    assert response.status_code == 200
    assert response.get_json()["profile"] == as_returned(replacement)


def test_put_without_a_required_property_is_refused(api: Api) -> None:
    user = create(api, "isaac@example.com", profile={"nickName": "Ike"})
    response = api.call(
        "PUT", f"/api/v1/users/{user['id']}", {"profile": {"login": "isaac@example.com"}}
    )
    assert response.status_code == 400
    assert response.get_json()["errorCode"] == "E0000001"
    assert api.call("GET", f"/api/v1/users/{user['id']}").get_json()["profile"] == user["profile"]


def test_post_password_value_sets_a_new_password(api: Api) -> None:
    user = create(api, "isaac@example.com", credentials=with_hash(sha_hash(PASSWORD)))
    response = api.call(
        "POST", f"/api/v1/users/{user['id']}", {"credentials": with_password("New-Horse-10")}
    )
    assert response.status_code == 200
    assert response.get_json()["credentials"]["provider"] == {"type": "OKTA", "name": "OKTA"}
    assert api.authn("isaac@example.com", "New-Horse-10").status_code == 200
    assert api.authn("isaac@example.com", PASSWORD).status_code == 401


def test_update_unknown_user_is_e0000007(api: Api) -> None:
    response = api.call("POST", "/api/v1/users/nobody@example.com", {"profile": {}})
    assert response.status_code == 404
    assert response.get_json()["errorCode"] == "E0000007"


# ----- delete


def test_delete_twice_then_404(api: Api, org: Org) -> None:
    user = create(api, "isaac@example.com", credentials=with_password())
    first = api.call("DELETE", f"/api/v1/users/{user['id']}")
    assert first.status_code == 204
    assert first.get_data() == b""
    assert "Content-Type" not in first.headers
    assert api.call("GET", f"/api/v1/users/{user['id']}").get_json()["status"] == "DEPROVISIONED"
    second = api.call("DELETE", f"/api/v1/users/{user['id']}")
    assert second.status_code == 204
    assert org.store.count_users() == 0
    third = api.call("DELETE", f"/api/v1/users/{user['id']}")
    assert_error(third, 404, "E0000007", f"Not found: Resource not found: {user['id']} (User)")


def test_deleted_login_can_be_created_again(api: Api) -> None:
    user = create(api, "isaac@example.com")
    api.call("DELETE", f"/api/v1/users/{user['id']}")
    api.call("DELETE", f"/api/v1/users/{user['id']}")
    assert create(api, "isaac@example.com")["id"] != user["id"]


# ----- tokens, paths, methods, bodies, request ids


INVALID_TOKEN = "Invalid token provided"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "SSWS wrong"},
        {"Authorization": "Bearer test-token"},
        {"Authorization": "SSWS"},
    ],
)
def test_missing_or_wrong_token_is_e0000011(client: FlaskClient, headers: dict[str, str]) -> None:
    response = client.get("/api/v1/users", headers=headers)
    assert_error(response, 401, "E0000011", INVALID_TOKEN)


@pytest.mark.parametrize("header", ["SSWS test-token", "SSWStest-token"])
def test_both_ssws_forms_are_accepted(client: FlaskClient, header: str) -> None:
    assert client.get("/api/v1/users", headers={"Authorization": header}).status_code == 200


def test_authn_is_public(client: FlaskClient, api: Api) -> None:
    create(api, "isaac@example.com", credentials=with_password())
    response = client.post(
        "/api/v1/authn", json={"username": "isaac@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200


def test_unknown_path_is_e0000008(api: Api) -> None:
    assert_error(
        api.call("GET", "/api/v1/nothing/here"), 404, "E0000008", "The requested path was not found"
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [("PATCH", "/api/v1/users/00u1"), ("DELETE", "/api/v1/users"), ("GET", "/api/v1/authn")],
)
def test_wrong_method_is_e0000022(api: Api, method: str, path: str) -> None:
    response = api.call(method, path)
    assert_error(
        response, 405, "E0000022", "The endpoint does not support the provided HTTP method"
    )


def test_malformed_json_is_e0000003(api: Api, org: Org) -> None:
    response = api.call(
        "POST", "/api/v1/users", '{"profile": {', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "E0000003", "The request body was not well-formed.")
    assert org.store.count_users() == 0


def test_every_response_has_a_request_id(api: Api, client: FlaskClient) -> None:
    responses = [
        api.create_user("isaac@example.com", credentials=with_password()),
        api.call("GET", "/api/v1/users"),
        api.call("GET", "/api/v1/users/nobody"),
        api.call("GET", "/api/v1/nothing"),
        api.call("PATCH", "/api/v1/users"),
        client.get("/api/v1/users"),
        api.authn("isaac@example.com", PASSWORD),
        api.authn("isaac@example.com", "wrong"),
        api.call("DELETE", "/api/v1/users/isaac@example.com"),
    ]
    ids = [r.headers.get("X-Okta-Request-Id") for r in responses]
    assert all(ids), ids
    assert len(set(ids)) == len(ids)


def test_json_responses_are_application_json(api: Api) -> None:
    user = create(api, "isaac@example.com")
    for response in (
        api.call("GET", f"/api/v1/users/{user['id']}"),
        api.call("GET", "/api/v1/users"),
        api.call("GET", "/api/v1/users/nobody"),
    ):
        assert response.mimetype == "application/json"
