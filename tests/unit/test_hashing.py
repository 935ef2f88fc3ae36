"""Okta's imported password hashes (reference.md §2): documented examples and computed vectors.

Every expected value here is either one of Okta's documented examples or computed in the test
with hashlib/bcrypt; none comes from the code under test.
"""

from __future__ import annotations

import base64
import hashlib
import itertools

import bcrypt
import pytest

from mock_okta.errors import OktaError
from mock_okta.hashing import (
    HashAlgorithm,
    NativeHash,
    PasswordHash,
    SaltEncoding,
    parse_hash,
    verify,
)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def digest(algorithm: str, data: bytes) -> bytes:
    return hashlib.new(algorithm, data).digest()


def okta_hash(**fields: object) -> PasswordHash:
    return parse_hash(fields)


# ----- Okta's documented examples


def test_sha512_documented_example_verifies() -> None:
    # OLD-USERS example (also in terraform-provider-okta's acceptance tests): salt "MySalt".
    documented = (
        "QrozP8a+KfoHu6mPFysxLoO5LMQsd2Fw6IclZUf8xQjetJOCGS93vm68h+VaFX0LHSiF/GxQkykq1vofmx6NGA=="
    )
    assert b64(digest("sha512", b"MySalt" + b"Abcd1234")) == documented
    h = okta_hash(algorithm="SHA-512", salt="TXlTYWx0", saltOrder="PREFIX", value=documented)
    assert verify("Abcd1234", h)
    assert not verify("abcd1234", h)


def test_sha1_documented_example_verifies() -> None:
    h = okta_hash(
        algorithm="SHA-1",
        salt="UEO3wsAsgzQ=",
        saltOrder="POSTFIX",
        value="xjrauE6J6kbjcvMjWSSc+PsBBls=",
    )
    assert verify("P@ssw0rd", h)
    assert not verify("P@ssw0rd!", h)


def test_md5_documented_example_verifies() -> None:
    h = okta_hash(
        algorithm="MD5", salt="TXlTYWx0", saltOrder="PREFIX", value="jqACjUUFXM1XE6NiLALAbA=="
    )
    assert verify("Abcd1234", h)
    assert not verify("Abcd12345", h)


def test_sha256_documented_example_uses_the_literal_salt() -> None:
    value = "Gjxo7mxvvzQWa83ovhYRUH2dWUhC1N77Ntc56UfI4sY"
    assert b64(digest("sha256", b"MPu13OmY" + b"test")).rstrip("=") == value
    h = okta_hash(algorithm="SHA-256", salt="MPu13OmY", saltOrder="PREFIX", value=value)
    assert verify("test", h)
    assert not verify("Test", h)


FORUM_SALT = "MPu13OmY"
FORUM_VALUE = "TdLtPD2sUZ6gnRDUkvaQgqZcZttYBhoBqQGSI/pXqnU"  # Okta's answer, devforum 3613
FORUM_HEX = "4DD2ED3C3DAC519EA09D10D492F69082A65C66DB58061A01A9019223FA57AA75"


def test_forum_sha256_unpadded_base64_value_verifies() -> None:
    assert b64(digest("sha256", b"MPu13OmYTesting123!")) == FORUM_VALUE + "="
    h = okta_hash(algorithm="SHA-256", salt=FORUM_SALT, saltOrder="PREFIX", value=FORUM_VALUE)
    assert verify("Testing123!", h)


def test_forum_sha256_hex_digest_is_accepted_but_never_verifies() -> None:
    assert hashlib.sha256(b"MPu13OmYTesting123!").hexdigest().upper() == FORUM_HEX
    # Okta created the user (200) and then refused the login: parse accepts, verify fails.
    h = okta_hash(algorithm="SHA-256", salt=FORUM_SALT, saltOrder="PREFIX", value=FORUM_HEX)
    for mode in SaltEncoding:
        assert not verify("Testing123!", h, mode)


def test_sha512_support_article_salt_is_base64_of_the_raw_salt() -> None:
    raw_salt = "&*GAH*AO*AL)AF#P(AHG#A"
    salt = b64(raw_salt.encode())
    assert salt == "JipHQUgqQU8qQUwpQUYjUChBSEcjQQ=="
    value = b64(digest("sha512", b"s3cr3tp@ssw0rd" + raw_salt.encode()))
    assert value.startswith("Zz6KwLGD")  # the article's value, as far as it is quoted
    assert value.endswith("Ztj4A==")
    h = okta_hash(algorithm="SHA-512", salt=salt, saltOrder="POSTFIX", value=value)
    assert verify("s3cr3tp@ssw0rd", h)
    # The mistake the article is about: the salt sent as-is instead of Base64-encoded.
    literal = b64(digest("sha512", b"s3cr3tp@ssw0rd" + raw_salt.encode()))
    wrong = okta_hash(algorithm="SHA-512", salt=raw_salt, saltOrder="POSTFIX", value=literal)
    assert not verify("s3cr3tp@ssw0rd", wrong)


ARTICLE_BCRYPT = "$2a$10$qRRx8rli7Lvs2h2CNgCQ2OmVA2NDdomRGoGFrAXDZcno0OZ6CoOU2"


def test_bcrypt_support_article_split_is_accepted() -> None:
    # Okta's split: workFactor 10, salt = next 22 characters, value = last 31 (as-is).
    h = okta_hash(
        algorithm="BCRYPT",
        workFactor=10,
        salt="qRRx8rli7Lvs2h2CNgCQ2O",
        value="mVA2NDdomRGoGFrAXDZcno0OZ6CoOU2",
    )
    assert (h.work_factor, h.salt, h.value) == (10, ARTICLE_BCRYPT[7:29], ARTICLE_BCRYPT[29:])
    # The article's plaintext is not published; a wrong password must not verify.
    assert not verify("not-the-password", h)


def test_spec_bcrypt_example_is_accepted() -> None:
    # SPEC example create-user-with-imported-hashed-password-request (plaintext unpublished).
    h = okta_hash(
        algorithm="BCRYPT",
        workFactor=10,
        salt="rwh3vH166HCH/NT9XV5FYu",
        value="qaMqvAPULkbiQzkTCWo5XDcvzpk8Tna",
    )
    assert (h.algorithm, h.work_factor) == (HashAlgorithm.BCRYPT, 10)


# ----- computed vectors: SHA-512, SHA-256, SHA-1, MD5 × salt order × salted/unsalted


DIGEST_ALGORITHMS = {"SHA-512": "sha512", "SHA-256": "sha256", "SHA-1": "sha1", "MD5": "md5"}
PASSWORDS = ["Correct-Horse-9", "pässwörd✓ 日本"]
RAW_SALT = b"\x00\xffNaCl\x10\x80"  # not UTF-8: only its Base64 can carry it
SHA256_SALT = "Xy7+/sa1t"  # SHA-256 uses the salt string's UTF-8 bytes


def _vector(algorithm: str, order: str | None, password: str) -> tuple[dict[str, object], str]:
    pw = password.encode("utf-8")
    fields: dict[str, object] = {"algorithm": algorithm}
    if order is None:
        return fields, b64(digest(DIGEST_ALGORITHMS[algorithm], pw))
    if algorithm == "SHA-256":
        salt_text, salt = SHA256_SALT, SHA256_SALT.encode()
    else:
        salt_text, salt = b64(RAW_SALT), RAW_SALT
    fields.update(salt=salt_text, saltOrder=order)
    data = salt + pw if order == "PREFIX" else pw + salt
    return fields, b64(digest(DIGEST_ALGORITHMS[algorithm], data))


@pytest.mark.parametrize(
    ("algorithm", "order", "password", "padded"),
    list(
        itertools.product(DIGEST_ALGORITHMS, ["PREFIX", "POSTFIX", None], PASSWORDS, [True, False])
    ),
)
def test_digest_vectors_verify(
    algorithm: str, order: str | None, password: str, padded: bool
) -> None:
    fields, value = _vector(algorithm, order, password)
    h = okta_hash(**fields, value=value if padded else value.rstrip("="))
    assert verify(password, h)
    assert not verify(password + "x", h)
    assert not verify(password.upper(), h)


@pytest.mark.parametrize("algorithm", list(DIGEST_ALGORITHMS))
def test_wrong_salt_order_does_not_verify(algorithm: str) -> None:
    fields, value = _vector(algorithm, "PREFIX", PASSWORDS[0])
    fields["saltOrder"] = "POSTFIX"
    assert not verify(PASSWORDS[0], okta_hash(**fields, value=value))


@pytest.mark.parametrize("algorithm", ["SHA-512", "SHA-1", "MD5"])
def test_literal_salt_does_not_verify_where_okta_decodes_it(algorithm: str) -> None:
    salt = "TXlTYWx0"
    value = b64(digest(DIGEST_ALGORITHMS[algorithm], salt.encode() + b"Abcd1234"))
    h = okta_hash(algorithm=algorithm, salt=salt, saltOrder="PREFIX", value=value)
    assert not verify("Abcd1234", h)


@pytest.mark.parametrize("algorithm", list(DIGEST_ALGORITHMS))
def test_utf16_hash_does_not_verify(algorithm: str) -> None:
    # devforum 11620: Okta hashes the password's UTF-8 bytes; UTF-16 hashes cannot be imported.
    value = b64(digest(DIGEST_ALGORITHMS[algorithm], "Abcd1234".encode("utf-16-le")))
    assert not verify("Abcd1234", okta_hash(algorithm=algorithm, value=value))


# ----- SHA-256 salt modes


def _sha256(salt: bytes, password: str) -> str:
    return b64(digest("sha256", salt + password.encode()))


@pytest.mark.parametrize(
    ("mode", "literal_ok", "decoded_ok"),
    [
        (SaltEncoding.LITERAL, True, False),
        (SaltEncoding.BASE64, False, True),
        (SaltEncoding.EITHER, True, True),
    ],
)
def test_sha256_salt_modes(mode: SaltEncoding, literal_ok: bool, decoded_ok: bool) -> None:
    salt = "MPu13OmY"
    literal = okta_hash(
        algorithm="SHA-256",
        salt=salt,
        saltOrder="PREFIX",
        value=_sha256(salt.encode(), "Testing123!"),
    )
    decoded = okta_hash(
        algorithm="SHA-256",
        salt=salt,
        saltOrder="PREFIX",
        value=_sha256(base64.b64decode(salt), "Testing123!"),
    )
    assert verify("Testing123!", literal, mode) is literal_ok
    assert verify("Testing123!", decoded, mode) is decoded_ok


def test_sha256_default_mode_is_literal() -> None:
    salt = "MPu13OmY"
    decoded = okta_hash(
        algorithm="SHA-256",
        salt=salt,
        saltOrder="PREFIX",
        value=_sha256(base64.b64decode(salt), "Testing123!"),
    )
    assert not verify("Testing123!", decoded)


# ----- BCRYPT


def split_bcrypt(legacy: bytes) -> dict[str, object]:
    """The migration tool's job, done by hand: `$2x$NN$<22 salt><31 value>`."""
    text = legacy.decode("ascii")
    _, _prefix, cost, rest = text.split("$")
    return {"algorithm": "BCRYPT", "workFactor": int(cost), "salt": rest[:22], "value": rest[22:]}


@pytest.mark.parametrize("prefix", [b"2a", b"2b", b"2y"])
@pytest.mark.parametrize("cost", [4, 5])
def test_bcrypt_prefixes_verify_alike(prefix: bytes, cost: int) -> None:
    legacy = bcrypt.hashpw(b"Correct-Horse-9", bcrypt.gensalt(cost, prefix=b"2b"))
    legacy = b"$" + prefix + legacy[3:]  # the same hash as $2a$/$2b$/$2y$ spell it
    assert bcrypt.checkpw(b"Correct-Horse-9", legacy)
    h = okta_hash(**split_bcrypt(legacy))
    assert h.work_factor == cost
    assert verify("Correct-Horse-9", h)
    assert not verify("Correct-Horse-8", h)


def test_bcrypt_generated_with_2a_prefix_verifies() -> None:
    legacy = bcrypt.hashpw("pässwörd✓".encode(), bcrypt.gensalt(4, prefix=b"2a"))
    assert verify("pässwörd✓", okta_hash(**split_bcrypt(legacy)))


def test_bcrypt_value_starting_with_a_dot_is_sent_as_is() -> None:
    # Auth0's `$2b$10$.…` hash imported fine: bcrypt's alphabet is used with no conversion.
    salt = b"$2b$04$3Yi9A7HzbW6xbLAerrToIO"
    for i in itertools.count():
        password = f"Dotted-{i}"
        legacy = bcrypt.hashpw(password.encode(), salt)
        if legacy[29:30] == b".":
            break
    fields = split_bcrypt(legacy)
    assert str(fields["value"]).startswith(".")
    assert verify(password, okta_hash(**fields))


def test_bcrypt_password_over_72_bytes_verifies_like_legacy_bcrypt() -> None:
    # Legacy bcrypt implementations read 72 bytes; a longer password still signs in.
    long_password = "x" * 72 + "tail-ignored-by-bcrypt"
    legacy = bcrypt.hashpw(long_password.encode()[:72], bcrypt.gensalt(4))
    assert verify(long_password, okta_hash(**split_bcrypt(legacy)))


def test_bcrypt_hash_sent_with_its_prefix_in_value_is_refused() -> None:
    legacy = bcrypt.hashpw(b"Correct-Horse-9", bcrypt.gensalt(4)).decode()
    with pytest.raises(OktaError) as err:
        parse_hash({"algorithm": "BCRYPT", "workFactor": 4, "salt": legacy[7:29], "value": legacy})
    assert err.value.spec.code == "E0000001"


# ----- PBKDF2


@pytest.mark.parametrize(
    ("digest_algorithm", "hashlib_name", "key_size"),
    [("SHA256_HMAC", "sha256", 32), ("SHA512_HMAC", "sha512", 64), ("SHA512_HMAC", "sha512", 32)],
)
@pytest.mark.parametrize("iterations", [4096, 5000])
def test_pbkdf2_vectors_verify(
    digest_algorithm: str, hashlib_name: str, key_size: int, iterations: int
) -> None:
    derived = hashlib.pbkdf2_hmac(hashlib_name, b"Correct-Horse-9", RAW_SALT, iterations, key_size)
    h = okta_hash(
        algorithm="PBKDF2",
        iterationCount=iterations,
        keySize=key_size,
        digestAlgorithm=digest_algorithm,
        salt=b64(RAW_SALT),
        value=b64(derived),
    )
    assert verify("Correct-Horse-9", h)
    assert not verify("Correct-Horse-8", h)


def test_pbkdf2_wrong_digest_does_not_verify() -> None:
    derived = hashlib.pbkdf2_hmac("sha256", b"Correct-Horse-9", RAW_SALT, 4096, 32)
    h = okta_hash(
        algorithm="PBKDF2",
        iterationCount=4096,
        keySize=32,
        digestAlgorithm="SHA512_HMAC",
        salt=b64(RAW_SALT),
        value=b64(derived),
    )
    assert not verify("Correct-Horse-9", h)


# ----- malformed hash objects: 400 E0000001, a cause naming the field

BCRYPT_OK = {
    "algorithm": "BCRYPT",
    "workFactor": 10,
    "salt": "qRRx8rli7Lvs2h2CNgCQ2O",
    "value": "mVA2NDdomRGoGFrAXDZcno0OZ6CoOU2",
}
PBKDF2_OK = {
    "algorithm": "PBKDF2",
    "iterationCount": 4096,
    "keySize": 32,
    "digestAlgorithm": "SHA256_HMAC",
    "salt": "TXlTYWx0",
    "value": b64(b"k" * 32),
}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"algorithm": "ARGON2", "value": "abc="}, "algorithm"),
        ({"algorithm": "sha256", "value": "abc="}, "algorithm"),
        ({"value": "abc="}, "algorithm"),
        ({"algorithm": "SHA-256"}, "value"),
        ({"algorithm": "SHA-256", "value": ""}, "value"),
        ({"algorithm": "SHA-256", "value": 12345}, "value"),
        ({"algorithm": "SHA-256", "value": "not base64!"}, "value"),
        (
            {"algorithm": "SHA-256", "value": "abc=", "salt": "c2FsdA==", "saltOrder": "MIDDLE"},
            "saltOrder",
        ),
        ({**BCRYPT_OK, "salt": "qRRx8rli7Lvs2h2CNgCQ2"}, "salt"),
        ({**BCRYPT_OK, "salt": "qRRx8rli7Lvs2h2CNgCQ2OO"}, "salt"),
        ({**BCRYPT_OK, "salt": "qRRx8rli7Lvs2h2CNgCQ2+"}, "salt"),
        ({**BCRYPT_OK, "value": "mVA2NDdomRGoGFrAXDZcno0OZ6CoOU"}, "value"),
        ({**BCRYPT_OK, "workFactor": 0}, "workFactor"),
        ({**BCRYPT_OK, "workFactor": 21}, "workFactor"),
        ({**BCRYPT_OK, "workFactor": "10"}, "workFactor"),
        ({k: v for k, v in BCRYPT_OK.items() if k != "workFactor"}, "workFactor"),
        ({k: v for k, v in BCRYPT_OK.items() if k != "salt"}, "salt"),
        ({**PBKDF2_OK, "iterationCount": 4095}, "iterationCount"),
        ({**PBKDF2_OK, "iterationCount": 2**31}, "iterationCount"),
        ({**PBKDF2_OK, "iterationCount": 10**30}, "iterationCount"),
        ({**PBKDF2_OK, "digestAlgorithm": "MD5_HMAC"}, "digestAlgorithm"),
        ({k: v for k, v in PBKDF2_OK.items() if k != "keySize"}, "keySize"),
        ({k: v for k, v in PBKDF2_OK.items() if k != "salt"}, "salt"),
    ],
)
def test_malformed_hash_is_refused_naming_the_field(raw: dict[str, object], field: str) -> None:
    with pytest.raises(OktaError) as err:
        parse_hash(raw)
    body = err.value.body("oaeTEST")
    assert err.value.status == 400
    assert body["errorCode"] == "E0000001"
    assert body["errorSummary"] == "Api validation failed: password"
    causes = [c["errorSummary"] for c in body["errorCauses"]]  # type: ignore[attr-defined]
    assert len(causes) == 1
    assert causes[0].startswith("password: ")
    assert f"hash.{field}" in causes[0]


@pytest.mark.parametrize("raw", ["SHA-256", ["SHA-256"], 7])
def test_hash_that_is_not_an_object_is_refused(raw: object) -> None:
    with pytest.raises(OktaError) as err:
        parse_hash(raw)
    assert err.value.spec.code == "E0000001"


@pytest.mark.parametrize("work_factor", [1, 20])
def test_bcrypt_work_factor_bounds_are_accepted(work_factor: int) -> None:
    assert okta_hash(**{**BCRYPT_OK, "workFactor": work_factor}).work_factor == work_factor


def test_unsalted_digest_needs_no_salt_order() -> None:
    h = okta_hash(algorithm="MD5", value=b64(digest("md5", b"Abcd1234")))
    assert h.salt is None
    assert verify("Abcd1234", h)


def test_every_okta_algorithm_is_known() -> None:
    # SPEC `PasswordCredentialHash.algorithm` enum.
    assert {a.value for a in HashAlgorithm} == {
        "BCRYPT",
        "MD5",
        "PBKDF2",
        "SHA-1",
        "SHA-256",
        "SHA-512",
    }


# ----- the mock's own fast form


def test_native_hash_verifies_only_its_password() -> None:
    native = NativeHash.of("Correct-Horse-9", b"0123456789abcdef")
    assert native.verify("Correct-Horse-9")
    assert not native.verify("Correct-Horse-8")
