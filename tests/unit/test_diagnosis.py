"""The hash diagnosis names the mistake behind each wrong hash, built here with hashlib/bcrypt."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import bcrypt
import pytest

from mock_okta import diagnosis
from mock_okta.diagnosis import diagnose, examine, examine_object
from mock_okta.hashing import SaltEncoding, parse_hash
from tests.conftest import Api

PASSWORD = "Grüße-2024!"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def digest(name: str, data: bytes) -> bytes:
    return hashlib.new(name, data).digest()


def pw(encoding: str = "utf-8") -> bytes:
    return PASSWORD.encode(encoding)


BCRYPT_SALT = "abcdefghijklmnopqrstuu"
BCRYPT_5 = bcrypt.hashpw(pw(), f"$2y$05${BCRYPT_SALT}".encode()).decode()  # $2y$05$<22><31>
RAW_SALT = b"\x8f\x01salt\xfe"
TEXT_SALT = "NaCl&pepper"


# (mistake code(s), the hash object a tool sent, password)
CASES: dict[str, tuple[tuple[str, ...], dict[str, Any], str]] = {
    "SHA-256 forum thread: hex value": (
        ("hex-value",),
        {
            "algorithm": "SHA-256",
            "salt": "MPu13OmY",
            "saltOrder": "PREFIX",
            "value": "4DD2ED3C3DAC519EA09D10D492F69082A65C66DB58061A01A9019223FA57AA75",
        },
        "Testing123!",
    ),
    "SHA-1 salt sent literally": (
        ("salt-not-encoded",),
        {
            "algorithm": "SHA-1",
            "salt": "qsBix3+FvBzW6jDjS+h3O6I7XQY=",
            "saltOrder": "PREFIX",
            "value": b64(digest("sha1", b"qsBix3+FvBzW6jDjS+h3O6I7XQY=" + b"Test$123!")),
        },
        "Test$123!",
    ),
    "SHA-256 salt Base64-encoded": (
        ("salt-encoded",),
        {
            "algorithm": "SHA-256",
            "salt": b64(TEXT_SALT.encode()),
            "saltOrder": "PREFIX",
            "value": b64(digest("sha256", TEXT_SALT.encode() + pw())),
        },
        PASSWORD,
    ),
    "SHA-512 salt encoded twice": (
        ("salt-double-encoded",),
        {
            "algorithm": "SHA-512",
            "salt": b64(b64(RAW_SALT).encode()),
            "saltOrder": "POSTFIX",
            "value": b64(digest("sha512", pw() + RAW_SALT)),
        },
        PASSWORD,
    ),
    "MD5 salt order swapped": (
        ("salt-order-swapped",),
        {
            "algorithm": "MD5",
            "salt": b64(RAW_SALT),
            "saltOrder": "PREFIX",
            "value": b64(digest("md5", pw() + RAW_SALT)),
        },
        PASSWORD,
    ),
    "label SHA-256 on a SHA-1 digest": (
        ("algorithm-label",),
        {"algorithm": "SHA-256", "value": b64(digest("sha1", pw()))},
        PASSWORD,
    ),
    "hex SHA-1 digest labelled SHA-512": (
        ("hex-value", "algorithm-label"),
        {"algorithm": "SHA-512", "value": digest("sha1", pw()).hex()},
        PASSWORD,
    ),
    "UTF-16 SHA-256": (
        ("password-utf16",),
        {"algorithm": "SHA-256", "value": b64(digest("sha256", pw("utf-16-le")))},
        PASSWORD,
    ),
    "salt given but not used": (
        ("salt-not-used",),
        {
            "algorithm": "SHA-1",
            "salt": b64(RAW_SALT),
            "saltOrder": "PREFIX",
            "value": b64(digest("sha1", pw())),
        },
        PASSWORD,
    ),
    "bcrypt string not split": (
        ("bcrypt-not-split",),
        {"algorithm": "BCRYPT", "workFactor": 5, "value": BCRYPT_5},
        PASSWORD,
    ),
    "$2y$ prefix left in the salt": (
        ("bcrypt-prefix",),
        {"algorithm": "BCRYPT", "workFactor": 5, "salt": BCRYPT_5[:29], "value": BCRYPT_5[29:]},
        PASSWORD,
    ),
    "bcrypt split one character late": (
        ("bcrypt-split-wrong",),
        {"algorithm": "BCRYPT", "workFactor": 5, "salt": BCRYPT_5[7:30], "value": BCRYPT_5[30:]},
        PASSWORD,
    ),
    "bcrypt workFactor does not match": (
        ("work-factor",),
        {"algorithm": "BCRYPT", "workFactor": 4, "salt": BCRYPT_5[7:29], "value": BCRYPT_5[29:]},
        PASSWORD,
    ),
    "bcrypt hashed as UTF-16": (
        ("password-utf16",),
        {
            "algorithm": "BCRYPT",
            "workFactor": 4,
            "salt": BCRYPT_SALT,
            "value": bcrypt.hashpw(pw("utf-16-le"), f"$2b$04${BCRYPT_SALT}".encode()).decode()[29:],
        },
        PASSWORD,
    ),
    "PBKDF2 Django salt sent as text": (
        ("salt-not-encoded",),
        {
            "algorithm": "PBKDF2",
            "iterationCount": 4096,
            "keySize": 32,
            "digestAlgorithm": "SHA256_HMAC",
            "salt": "abcd1234EFGH",
            "value": b64(hashlib.pbkdf2_hmac("sha256", pw(), b"abcd1234EFGH", 4096)),
        },
        PASSWORD,
    ),
    "PBKDF2 digest mislabelled": (
        ("pbkdf2-digest",),
        {
            "algorithm": "PBKDF2",
            "iterationCount": 4096,
            "keySize": 64,
            "digestAlgorithm": "SHA256_HMAC",
            "salt": b64(RAW_SALT),
            "value": b64(hashlib.pbkdf2_hmac("sha512", pw(), RAW_SALT, 4096)),
        },
        PASSWORD,
    ),
    "salt without saltOrder": (
        ("salt-order-missing",),
        {
            "algorithm": "SHA-1",
            "salt": b64(RAW_SALT),
            "value": b64(digest("sha1", pw() + RAW_SALT)),
        },
        PASSWORD,
    ),
    "URL-safe Base64 value": (
        ("value-urlsafe",),
        {
            "algorithm": "SHA-512",
            "value": base64.urlsafe_b64encode(digest("sha512", pw())).decode().rstrip("="),
        },
        PASSWORD,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_mistake_is_named(case: str) -> None:
    codes, raw, password = CASES[case]
    finding = examine_object(password, raw)
    assert not finding.verifies
    assert finding.confirmed, finding.explain()
    assert finding.codes == codes, finding.explain()


@pytest.mark.parametrize("case", sorted(CASES))
def test_sentences_never_hold_the_password_salt_or_hash(case: str) -> None:
    _, raw, password = CASES[case]
    sentence = examine_object(password, raw).explain()
    secrets = [password, str(raw.get("value")), str(raw.get("salt") or "~")]
    secrets += [s[7:] for s in secrets if s.startswith("$2")]
    assert "Fix:" in sentence
    for secret in secrets:
        assert secret not in sentence


def test_the_forum_answer_verifies() -> None:
    raw = {
        "algorithm": "SHA-256",
        "salt": "MPu13OmY",
        "saltOrder": "PREFIX",
        "value": "TdLtPD2sUZ6gnRDUkvaQgqZcZttYBhoBqQGSI/pXqnU",
    }
    finding = examine_object("Testing123!", raw)
    assert finding.verifies
    assert finding.explain() == "Okta will verify this password against this SHA-256 hash."


def test_the_hex_fix_names_base64() -> None:
    _, raw, password = CASES["SHA-256 forum thread: hex value"]
    sentence = diagnose(password, parse_hash(raw))
    assert sentence.startswith("password does not verify against the imported SHA-256 hash: ")
    assert "hex digest" in sentence
    assert "Base64 of the raw digest bytes" in sentence


def test_a_wrong_password_matches_no_known_variant() -> None:
    raw = {"algorithm": "SHA-1", "salt": b64(RAW_SALT), "saltOrder": "PREFIX"}
    raw["value"] = b64(digest("sha1", RAW_SALT + pw()))
    finding = examine("Something else", parse_hash(raw))
    assert finding.codes == ()
    assert "no known variant verifies" in finding.explain()


def test_a_wrong_password_on_a_hex_value_still_points_at_the_hex() -> None:
    _, raw, _ = CASES["SHA-256 forum thread: hex value"]
    finding = examine("Testing124!", parse_hash(raw))
    assert not finding.confirmed
    assert finding.codes == ("hex-value",)
    assert "no known variant verifies" in finding.explain()


def test_salt_readings_follow_the_sha256_setting() -> None:
    _, raw, password = CASES["SHA-256 salt Base64-encoded"]
    h = parse_hash(raw)
    assert examine(password, h, SaltEncoding.BASE64).verifies
    assert examine(password, h, SaltEncoding.EITHER).verifies
    literal_salt = {**raw, "salt": TEXT_SALT}
    assert examine(password, parse_hash(literal_salt), SaltEncoding.BASE64).codes == (
        "salt-not-encoded",
    )


def test_unimportable_algorithms_name_the_hook() -> None:
    finding = examine_object(PASSWORD, {"algorithm": "ARGON2ID", "value": "x"})
    assert finding.codes == ("needs-import-hook",)
    assert "password import inline hook" in finding.explain()
    assert finding.refused is not None
    few = {"algorithm": "PBKDF2", "iterationCount": 1000, "keySize": 32, "salt": "c2FsdA=="}
    few |= {"digestAlgorithm": "SHA256_HMAC", "value": b64(b"k" * 32)}
    assert examine_object(PASSWORD, few).codes == ("needs-import-hook",)


def test_the_server_tries_only_a_few_bcrypt_variants(monkeypatch: pytest.MonkeyPatch) -> None:
    salt = bcrypt.gensalt(10).decode()[7:29]
    h = parse_hash({"algorithm": "BCRYPT", "workFactor": 10, "salt": salt, "value": "a" * 31})
    costs: list[int] = []

    def checkpw(password: bytes, hashed: bytes) -> bool:
        costs.append(int(hashed[4:6]))
        return False

    monkeypatch.setattr(diagnosis.bcrypt, "checkpw", checkpw)
    monkeypatch.setattr(diagnosis, "verify", lambda *args: False)
    diagnose(PASSWORD, h)
    assert 10 in costs  # the UTF-16 reading, at the declared cost
    assert max(costs) == 11
    assert sum(2.0 ** (c - 10) for c in costs) <= diagnosis.MIN_BCRYPT_CHECKS


def test_a_cheap_declared_cost_bounds_server_and_doctor_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    costs: list[int] = []

    def checkpw(password: bytes, hashed: bytes) -> bool:
        costs.append(int(hashed[4:6]))
        return False

    monkeypatch.setattr(diagnosis.bcrypt, "checkpw", checkpw)
    h = parse_hash({"algorithm": "BCRYPT", "workFactor": 4, "salt": BCRYPT_SALT, "value": "a" * 31})
    examine(PASSWORD, h)
    assert {5, 6, 7, 8} <= set(costs)
    assert max(costs) == 8  # the server spends about half a cost-10 check
    costs.clear()
    examine(PASSWORD, h, budget=diagnosis.DOCTOR_BUDGET)
    assert {10, 11, 12} <= set(costs)
    assert max(costs) == 13


def test_a_failed_sign_in_journal_detail_names_the_mistake(api: Api) -> None:
    _, raw, password = CASES["SHA-256 forum thread: hex value"]
    created = api.create_user(credentials={"password": {"hash": raw}})
    assert created.status_code == 200, created.get_json()
    assert api.authn("isaac.brock@example.com", password).status_code == 401
    journal = api.call("GET", "/_mock/requests?path=/api/v1/authn").get_json()["entries"]
    detail = journal[-1]["detail"]
    assert "hex digest" in detail
    assert password not in detail
    assert raw["value"] not in detail
