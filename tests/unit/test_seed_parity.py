"""The bulk seed (issue #15's faster one) stores what the seed before it stored, byte for byte.

`seed_reference` is the previous `seed_users`, kept here: rows inserted one statement each in
the items' order, the profile index made by the per-row insert trigger, System Log events
written one by one (`SystemLog.record`). Two orgs with the same random seed and clock take the
same dataset, one through each; every table the seed writes, List Users' answers and the
events must come out the same. Refused seeds answer the errors the previous seed answered.
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mock_okta.clock import ManualClock
from mock_okta.config import Settings
from mock_okta.errors import OktaError, validation_error
from mock_okta.models import User, UserStatus
from mock_okta.org import Org
from mock_okta.profile import login_key
from mock_okta.store import ListQuery
from mock_okta.store.base import DUPLICATE_LOGIN, INSERT_USER, user_params
from mock_okta.store.users import SEED_ROWS, UserOperations, _seed_events
from mock_okta.syslog import Party
from mock_okta.syslog.events import RequestInfo, bind
from tests.helpers import attribute, profile, schema_change, sha_hash

# bcrypt of Pw-4x, fixed (a new salt a run would make the datasets of two runs differ)
BCRYPT = "$2b$04$8nNLO.KQN0Y0JVJnBpmtieI2kAhuiL9MxSFUGAUz69O3Z3doj4Yr6"
ADMIN = Party("00uadmin", "User", "admin@mock-okta", "Mock Okta Admin")
TABLES = {
    "users": "SELECT * FROM users ORDER BY id",
    "profile_values": "SELECT * FROM profile_values ORDER BY name, value, user_id",
    "user_text": "SELECT rowid, user_id, text FROM user_text ORDER BY rowid",
    "groups": "SELECT * FROM groups ORDER BY id",
    "memberships": "SELECT * FROM memberships ORDER BY group_id, user_id",
    "unique_values": "SELECT * FROM unique_values ORDER BY name, value",
    "log_events": "SELECT * FROM log_events ORDER BY seq",
}
SEARCHES = [
    ListQuery(search='profile.email co "xamp"'),
    ListQuery(search='profile.lastName co "ALV"'),
    ListQuery(search='profile.lastName sw "stras"'),
    ListQuery(search='profile.firstName eq "\u0130pek"'),
    ListQuery(search='profile.tier eq "gold"'),
    ListQuery(search='profile.tier sw "SIL"'),
    ListQuery(search='profile.code eq "c-9"'),
    ListQuery(search="profile.code pr and profile.tags pr"),
    ListQuery(search='status eq "SUSPENDED" or status eq "LOCKED_OUT"'),
    ListQuery(search="profile.mobilePhone pr"),
    ListQuery(search='not (profile.email co "user1")'),
    ListQuery(filter='status eq "ACTIVE"'),
    ListQuery(filter='profile.login eq "USER3@example.com"'),
    ListQuery(q="ana"),
    ListQuery(q="str"),
]


def seed_reference(store: UserOperations, items: list[dict[str, Any]]) -> list[User]:
    """The previous seed_users (validation as it is today), indexing and logging row by row."""
    schema = store._schema(store.default_type_id)
    prepared: list[tuple[User, list[str]]] = []
    for index, item in enumerate(items):
        try:
            clean = schema.validate(item.get("profile"))
            creds = store._credentials(item.get("credentials"), str(clean.get("login") or ""))
            default = UserStatus.ACTIVE if creds.password else UserStatus.PROVISIONED
            status = UserStatus(str(item.get("status") or default.value))
            names = item.get("groups") or []
        except OktaError as exc:
            raise OktaError(
                exc.spec, f"users[{index}]", causes=[f"users[{index}].{c}" for c in exc.causes]
            ) from None
        user = store._new_user(clean, creds, status, store.default_type_id)
        prepared.append((user, list(dict.fromkeys(names))))
    known: dict[str, str] = {}
    with store.db.write() as conn:
        users = [user for user, _ in prepared]
        try:
            for user in users:  # the insert trigger indexes each row
                conn.execute(INSERT_USER, user_params(user))
        except sqlite3.IntegrityError:
            raise validation_error(_reference_duplicate(conn, users), DUPLICATE_LOGIN) from None
        for index, (user, names) in enumerate(prepared):
            try:
                store._claim_unique(conn, user.id, schema.unique_values(user.profile))
                store._join(conn, user.id, store._groups_named(conn, names, known))
            except OktaError as exc:
                field = exc.causes[0].partition(":")[0] if exc.causes else ""
                raise OktaError(
                    exc.spec,
                    f"users[{index}].{field}",
                    causes=[f"users[{index}].{c}" for c in exc.causes],
                ) from None
        assert store.syslog is not None
        for event in _seed_events(prepared, known, store.everyone_id):
            store.syslog.record(conn, event)
    return users


def _reference_duplicate(conn: sqlite3.Connection, users: list[User]) -> str:
    seen: set[str] = set()
    for index, user in enumerate(users):
        key = login_key(user.login)
        row = conn.execute("SELECT id FROM users WHERE login_key = ?", (key,)).fetchone()
        if key in seen or (row is not None and row[0] != user.id):
            return f"users[{index}].login"
        seen.add(key)
    return "users"


def new_org(path: Path) -> Org:
    org = Org(Settings(db=str(path), seed=11, syslog_retention=10**6), clock=ManualClock())
    org.store.update_user_profile(
        "default",
        schema_change(
            tier=attribute(),
            points=attribute("integer"),
            ratio=attribute("number"),
            vip=attribute("boolean"),
            tags=attribute("array", items={"type": "string"}),
            code=attribute(unique=True),
        ),
    )
    return org


def dataset() -> list[dict[str, Any]]:
    """Every kind of credential and status, groups, custom values, non-ASCII names."""
    pbkdf2 = hashlib.pbkdf2_hmac("sha256", b"Pw-pbkdf2-1", b"salt", 4096, dklen=32)
    credentials: list[dict[str, Any] | None] = [
        {"password": {"hash": sha_hash("Pw-1x")}},
        {"password": {"hash": sha_hash("Pw-2x", "SHA-512", "c2FsdA==", "POSTFIX")}},
        {"password": {"hash": sha_hash("Pw-3x", "SHA-1", "c2FsdA==")}},
        {"password": {"hash": {"algorithm": "MD5", "value": base64.b64encode(b"x" * 16).decode()}}},
        {
            "password": {
                "hash": {
                    "algorithm": "BCRYPT",
                    "workFactor": 4,
                    "salt": BCRYPT[7:29],
                    "value": BCRYPT[29:],
                }
            }
        },
        {
            "password": {
                "hash": {
                    "algorithm": "PBKDF2",
                    "iterationCount": 4096,
                    "keySize": 32,
                    "digestAlgorithm": "SHA256_HMAC",
                    "salt": "c2FsdA==",
                    "value": base64.b64encode(pbkdf2).decode(),
                }
            }
        },
        {"password": {"value": "Correct-Horse-9"}},
        {
            "password": {"value": "Correct-Horse-9"},
            "recovery_question": {"question": "Color?", "answer": "Blue Sky"},
        },
        {"password": {"hook": {"type": "default"}}},
        {"provider": {"type": "FEDERATION", "name": "FED"}},
        None,
    ]
    statuses = [None, "STAGED", "SUSPENDED", "DEPROVISIONED", "LOCKED_OUT", "PASSWORD_EXPIRED",
                "ACTIVE", "PROVISIONED", "RECOVERY"]  # fmt: skip
    names = [("Ana", "\u00c1lvarez"), ("J\u00fcrgen", "Stra\u00dfe"), ("\u0130pek", "Y\u0131lmaz"),
             ("Zo\u00eb", "O'Brien"), ("\U0001f600", "Smith"), ("Bob", "Alvarado")]  # fmt: skip
    groups = [[], ["Gold"], ["Gold", "Silver", "Gold"], ["Everyone"], ["silver"]]
    items = []
    for i in range(80):
        first, last = names[i % len(names)]
        login = f"user{i}@example.com" if i % 7 else f"\u00fcser{i}@ex\u00e4mple.com"
        extra: dict[str, object] = {"tier": ["gold", "Silver", ""][i % 3]}
        if i % 2:
            extra |= {"points": i, "ratio": [0.1, 1.5, 1e20, -2.0][i % 4], "vip": i % 4 == 1}
        if i % 5 == 0:
            extra |= {"tags": ["a", "B\u00e9"], "mobilePhone": f"+1 555 {i:04d}"}
        if i % 3 == 0:
            extra["code"] = f"C-{i}"
        item: dict[str, Any] = {"profile": {**profile(login, **extra),
                                            "firstName": first, "lastName": last}}  # fmt: skip
        if (creds := credentials[i % len(credentials)]) is not None:
            item["credentials"] = creds
        if (status := statuses[i % len(statuses)]) is not None:
            item["status"] = status
        if g := groups[i % len(groups)]:
            item["groups"] = g
        items.append(item)
    return items


def dump(org: Org) -> dict[str, list[tuple[object, ...]]]:
    with org.db.read() as conn:
        return {name: [tuple(r) for r in conn.execute(sql)] for name, sql in TABLES.items()}


def found(org: Org) -> list[list[str]]:
    return [[u.id for u in org.store.list_users(query).users] for query in SEARCHES]


@pytest.fixture
def request_bound() -> Iterator[None]:
    bind(RequestInfo("req1", "127.0.0.1", "curl/8", "/_mock/users", ADMIN, "00Ttoken"))
    yield
    bind(None)


@pytest.mark.usefixtures("request_bound")
def test_seed_stores_what_the_previous_seed_stored(tmp_path: Path) -> None:
    new, old = new_org(tmp_path / "new.db"), new_org(tmp_path / "old.db")
    items = dataset()
    # In two calls: the second's users join groups and an index the first made.
    made = new.store.seed_users(items[:50]) + new.store.seed_users(items[50:])
    expected = seed_reference(old.store, items[:50]) + seed_reference(old.store, items[50:])
    assert [(u.id, u.status, u.profile) for u in made] == [
        (u.id, u.status, u.profile) for u in expected
    ]
    stored, reference = dump(new), dump(old)
    assert len(stored["users"]) == 80
    assert len(stored["log_events"]) > 160
    assert len(stored["profile_values"]) > 400
    for table in TABLES:
        assert stored[table] == reference[table], table
    answers = found(new)
    assert all(answers), [str(q) for q, a in zip(SEARCHES, answers, strict=True) if not a]
    assert answers == found(old)
    for user in made:
        assert new.store.get_user(user.id) == old.store.get_user(user.id)


def test_a_seed_of_many_statements_stores_what_the_previous_seed_stored(tmp_path: Path) -> None:
    new, old = new_org(tmp_path / "new.db"), new_org(tmp_path / "old.db")
    items = [
        {"profile": profile(f"bulk{i}@example.com", tier=f"T{i % 9}"),
         "credentials": {"password": {"hash": sha_hash(f"Pw-{i}x")}}}
        for i in range(SEED_ROWS * 2 + 17)
    ]  # fmt: skip
    new.store.seed_users(items)
    seed_reference(old.store, items)
    assert dump(new) == dump(old)
    assert found(new) == found(old)


def test_a_login_twice_across_statements_names_the_later_item(tmp_path: Path) -> None:
    """Rows go in in id order, many a statement: the item named is still the later one."""
    items = [{"profile": profile(f"many{i}@example.com")} for i in range(SEED_ROWS * 2)]
    dry = new_org(tmp_path / "dry.db")
    ids = [u.id for u in dry.store.seed_users([*items, {"profile": profile("x@example.com")}])]
    rank = {uid: n for n, uid in enumerate(sorted(ids))}
    # An item whose row goes in in a later statement than the repeat's (same ids: same seed).
    twin = next(
        i for i in range(len(items)) if rank[ids[i]] // SEED_ROWS > rank[ids[-1]] // SEED_ROWS
    )
    org = new_org(tmp_path / "org.db")
    with pytest.raises(OktaError) as refused:
        org.store.seed_users([*items, items[twin]])
    assert refused.value.summary == f"Api validation failed: users[{len(items)}].login"
    assert org.store.count_users() == 0


def bad_seeds() -> list[tuple[str, Any]]:
    """Refused seeds, each after good items (a refusal writes none of them)."""
    good = [{"profile": profile(f"good{i}@example.com")} for i in range(3)]
    sha = {"algorithm": "SHA-256", "salt": "s", "saltOrder": "PREFIX", "value": "AAAA"}

    def one(item: object) -> list[object]:
        return [*good, item]

    def pw(password: object) -> list[object]:
        return one({"profile": profile("bad@example.com"), "credentials": {"password": password}})

    def hashed(**fields: object) -> list[object]:
        return pw({"hash": {**sha, **fields}})

    many = [{"profile": profile(f"many{i}@example.com")} for i in range(1200)]
    return [
        ("not a list", "nope"),
        ("not an object", one(1)),
        ("no profile", one({"credentials": None})),
        ("profile not an object", one({"profile": "x"})),
        ("bad profile", one({"profile": {"login": "bad", "email": "no-at", "firstName": "x" * 51,
                                         "nickName": "a\x01b", "zzz": 1}})),
        ("profile types", one({"profile": {**profile("t@example.com"), "lastName": 7,
                                           "title": "", "city": None}})),
        ("login not email", one({"profile": profile("not-an-email")})),
        ("custom wrong type", one({"profile": profile("c@example.com", code=5)})),
        ("credentials not an object", one({"profile": profile("c@example.com"), "credentials": 1})),
        ("password not an object", pw("Secret-1x")),
        ("value and hash", pw({"value": "Correct-Horse-9", "hash": sha})),
        ("policy: short", pw({"value": "Ab1"})),
        ("policy: login part", pw({"value": "Bad-Example-99"})),
        ("policy: not a string", pw({"value": 12345678})),
        ("policy: too long", pw({"value": "Aa1" + "x" * 80})),
        ("hash not an object", pw({"hash": "x"})),
        ("hash: no algorithm", hashed(algorithm=None)),
        ("hash: algorithm not a string", hashed(algorithm=5)),
        ("hash: unknown algorithm", hashed(algorithm="SHA-3")),
        ("hash: no value", hashed(value="")),
        ("hash: value not a string", hashed(value=["x"])),
        ("hash: value not base64", hashed(value="not base64!")),
        ("hash: value base64 of bad length", hashed(value="AAAAA")),
        ("hash: salt without order", hashed(saltOrder=None)),
        ("hash: bad order", hashed(saltOrder="MIDDLE")),
        ("hash: salt not a string", hashed(salt=5)),
        ("bcrypt: work factor", hashed(algorithm="BCRYPT", workFactor=40)),
        ("bcrypt: salt", hashed(algorithm="BCRYPT", workFactor=10, salt="short")),
        ("pbkdf2: iterations", hashed(algorithm="PBKDF2", iterationCount=10)),
        ("pbkdf2: digest", hashed(algorithm="PBKDF2", iterationCount=5000, keySize=32,
                                  digestAlgorithm="MD5")),
        ("hook type", pw({"hook": {"type": "other"}})),
        ("recovery not an object", one({"profile": profile("r@example.com"),
                                        "credentials": {"recovery_question": "x"}})),
        ("recovery answer short", one({"profile": profile("r@example.com"),
                                       "credentials": {"recovery_question": {"question": "Q?",
                                                                             "answer": "ab"}}})),
        ("provider type", one({"profile": profile("p@example.com"),
                               "credentials": {"provider": {"type": "NOPE"}}})),
        ("unknown status", one({"profile": profile("s@example.com"), "status": "NOPE"})),
        ("status not a string", one({"profile": profile("s@example.com"), "status": 5})),
        ("groups not a list", one({"profile": profile("g@example.com"), "groups": "Gold"})),
        ("blank group", one({"profile": profile("g@example.com"), "groups": ["Gold", " "]})),
        ("login of the org", one({"profile": profile("Taken@Example.com")})),
        ("login twice", [*many, *many[:10]]),
        ("login twice, accents", [*good, {"profile": profile("jose@example.com")},
                                  {"profile": profile("JOS\u00c9@example.com")}]),
        ("unique value of the org", one({"profile": profile("u@example.com", code="t-1")})),
        ("unique value twice", [*good, {"profile": profile("u1@example.com", code="X")},
                                {"profile": profile("u2@example.com", code="x")}]),
    ]  # fmt: skip


POLICY = (
    "Password requirements were not met. Password requirements: at least 8 characters,"
    " a lowercase letter, an uppercase letter, a number, no parts of your username."
)
TAKEN = "An object with this field already exists in the current organization"
# What the seed before #15's cut answered to each of bad_seeds() (its E0000001 summary's
# field, and the causes).
REFUSALS: dict[str, tuple[str, list[str]]] = {
    "not a list": ("users", ["users: users must be a list of user objects"]),
    "not an object": ("users[3]", ["users[3]: must be an object"]),
    "no profile": ("users[3]", ["users[3].profile: The field is required"]),
    "profile not an object": ("users[3]", ["users[3].profile: The field is required"]),
    "bad profile": ("users[3]", [
        "users[3].login: The field is too short",
        "users[3].login: Username must be in the form of an email address",
        "users[3].email: Does not match required pattern",
        "users[3].firstName: The field is too long",
        "users[3].nickName: Does not match required pattern",
        "users[3].Property name 'zzz' is not defined in profile",
        "users[3].lastName: The field cannot be left blank",
    ]),
    "profile types": ("users[3]", ["users[3].lastName: The value must be a string"]),
    "login not email": ("users[3]", [
        "users[3].login: Username must be in the form of an email address",
        "users[3].email: Does not match required pattern",
    ]),
    "custom wrong type": ("users[3]", ["users[3].code: The value must be a string"]),
    "credentials not an object": ("users[3]", [
        "users[3].credentials: The value must be an object"
    ]),
    "password not an object": ("users[3]", ["users[3].password: The value must be an object"]),
    "value and hash": ("users[3]", [
        "users[3].password: Only one of value, hash or hook may be given"
    ]),
    "policy: short": ("users[3]", [f"users[3].password: {POLICY}"]),
    "policy: login part": ("users[3]", [f"users[3].password: {POLICY}"]),
    "policy: not a string": ("users[3]", ["users[3].password: The value must be a string"]),
    "policy: too long": ("users[3]", ["users[3].password: Password cannot exceed 72 characters"]),
    "hash not an object": ("users[3]", ["users[3].password: hash must be an object"]),
    "hash: no algorithm": ("users[3]", ["users[3].password: hash.algorithm is required"]),
    "hash: algorithm not a string": ("users[3]", [
        "users[3].password: hash.algorithm must be a string"
    ]),
    "hash: unknown algorithm": ("users[3]", [
        "users[3].password: hash.algorithm must be one of BCRYPT, MD5, PBKDF2, SHA-1, SHA-256,"
        " SHA-512"
    ]),
    "hash: no value": ("users[3]", ["users[3].password: hash.value is required"]),
    "hash: value not a string": ("users[3]", ["users[3].password: hash.value must be a string"]),
    "hash: value not base64": ("users[3]", [
        "users[3].password: hash.value must be Base64 for SHA-256"
    ]),
    "hash: value base64 of bad length": ("users[3]", [
        "users[3].password: hash.value must be Base64 for SHA-256"
    ]),
    "hash: salt without order": ("users[3]", [
        "users[3].password: hash.saltOrder is required when a salt is given"
    ]),
    "hash: bad order": ("users[3]", [
        "users[3].password: hash.saltOrder must be PREFIX or POSTFIX"
    ]),
    "hash: salt not a string": ("users[3]", ["users[3].password: hash.salt must be a string"]),
    "bcrypt: work factor": ("users[3]", [
        "users[3].password: hash.workFactor must be an integer from 1 to 20 for BCRYPT"
    ]),
    "bcrypt: salt": ("users[3]", [
        "users[3].password: hash.salt must be 22 characters of bcrypt's alphabet ./A-Za-z0-9"
    ]),
    "pbkdf2: iterations": ("users[3]", [
        "users[3].password: hash.iterationCount must be at least 4096"
    ]),
    "pbkdf2: digest": ("users[3]", [
        "users[3].password: hash.digestAlgorithm must be SHA256_HMAC or SHA512_HMAC"
    ]),
    "hook type": ("users[3]", ['users[3].password: hook.type must be "default"']),
    "recovery not an object": ("users[3]", [
        "users[3].recovery_question: The value must be an object"
    ]),
    "recovery answer short": ("users[3]", [
        "users[3].recovery_question: The answer must be at least 4 characters"
    ]),
    "provider type": ("users[3]", ["users[3].provider: Unknown provider type"]),
    "unknown status": ("users[3].status", ["users[3].status: unknown status"]),
    "status not a string": ("users[3].status", ["users[3].status: unknown status"]),
    "groups not a list": ("users[3]", ["users[3].groups: groups must be a list of group names"]),
    "blank group": ("users[3]", ["users[3].groups: groups must be a list of group names"]),
    "login of the org": ("users[3].login", [f"users[3].login: {TAKEN}"]),
    "login twice": ("users[1200].login", [f"users[1200].login: {TAKEN}"]),
    "login twice, accents": ("users[4].login", [f"users[4].login: {TAKEN}"]),
    "unique value of the org": ("users[3].code", [f"users[3].code: {TAKEN}"]),
    "unique value twice": ("users[4].code", [f"users[4].code: {TAKEN}"]),
}  # fmt: skip


def test_a_refused_seed_answers_as_before_and_writes_nothing(tmp_path: Path) -> None:
    org = new_org(tmp_path / "org.db")
    org.store.seed_users([{"profile": profile("taken@example.com", code="T-1")}])
    before = dump(org)
    seeds = bad_seeds()
    assert [name for name, _ in seeds] == list(REFUSALS)
    for name, items in seeds:
        with pytest.raises(OktaError) as refused:
            org.store.seed_users(items)
        field, causes = REFUSALS[name]
        assert refused.value.spec.code == "E0000001", name
        assert (refused.value.summary, list(refused.value.causes)) == (
            f"Api validation failed: {field}",
            causes,
        ), name
        assert dump(org) == before, name


def test_the_seed_draws_the_ids_the_previous_seed_drew(tmp_path: Path) -> None:
    """The same random stream (POST /_mock/seed): plain passwords' salts, ids, event uuids."""
    plain = {"password": {"value": "Correct-Horse-9"}}
    items = [{"profile": profile(f"p{i}@example.com"), "credentials": plain} for i in range(30)]
    new, old = new_org(tmp_path / "new.db"), new_org(tmp_path / "old.db")
    assert [u.id for u in new.store.seed_users(items)] == [
        u.id for u in seed_reference(old.store, items)
    ]
    assert new.ids.user_id() == old.ids.user_id()
    assert dump(new) == dump(old)


# The insert triggers of the store before #15's cut (version 3 too): the values, and the
# trigrams unless a seed deferred them.
OLD_INSERT_TRIGGERS = (
    "CREATE TRIGGER users_index_insert AFTER INSERT ON users BEGIN INSERT INTO profile_values"
    " (name, value, user_id) SELECT key, lower(value), NEW.id FROM json_each(NEW.profile)"
    " WHERE value IS NOT NULL; END",
    "CREATE TRIGGER users_text_insert AFTER INSERT ON users WHEN NOT EXISTS (SELECT 1 FROM meta"
    " WHERE key = 'text_deferred') BEGIN INSERT INTO user_text (rowid, user_id, text) VALUES"
    " (text_key(NEW.id), NEW.id, lower(json_extract(NEW.profile, '$.login'))); END",
)


def test_a_store_with_the_old_insert_triggers_opens_with_the_new_one(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    first = Org(Settings(db=str(path)), clock=ManualClock())
    with first.db.write() as conn:
        conn.execute("DROP TRIGGER users_index_add")
        for statement in OLD_INSERT_TRIGGERS:
            conn.execute(statement)
    first.db.close()
    org = Org(Settings(db=str(path)), clock=ManualClock())
    with org.db.read() as conn:
        triggers = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
    assert triggers == {"users_index_add", "users_index_delete", "users_index_update"}
    # Indexed once each (a second trigger would insert the trigrams' row twice and fail).
    user = org.store.create_user(profile("Create@Example.com"))
    [seeded] = org.store.seed_users([{"profile": profile("Seed@Example.com")}])
    for who, login in ((user, "create@example.com"), (seeded, "seed@example.com")):
        query = ListQuery(search=f'profile.login co "{login[:6]}"')
        assert [u.id for u in org.store.list_users(query).users] == [who.id]
    with org.db.read() as conn:
        assert conn.execute("SELECT count(*) FROM profile_values").fetchone()[0] == 8
