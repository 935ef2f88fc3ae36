"""The encoder against Okta's documented vectors, the server's verifier, and hashlib itself."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import bcrypt
import pytest

from mock_okta.hashing import (
    DigestAlgorithm,
    HashAlgorithm,
    PasswordHash,
    SaltEncoding,
    SaltOrder,
    parse_hash,
    verify,
)
from mock_okta.tools import encoder
from mock_okta.tools.encoder import EncodeError, NeedsImportHook, hash_password, to_okta_hash

FORUM_HEX = "4DD2ED3C3DAC519EA09D10D492F69082A65C66DB58061A01A9019223FA57AA75"
FORUM_BASE64 = "TdLtPD2sUZ6gnRDUkvaQgqZcZttYBhoBqQGSI/pXqnU"  # Okta's answer on devforum 3613


def _b64decode(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def test_sha256_forum_thread_value_is_the_base64_okta_accepted() -> None:
    legacy = {
        "scheme": "sha256",
        "hex": FORUM_HEX.lower(),
        "salt": "MPu13OmY",
        "saltPosition": "prefix",
    }
    h = to_okta_hash(legacy)
    assert _b64decode(h.value) == _b64decode(FORUM_BASE64)
    assert (h.salt, h.salt_order) == ("MPu13OmY", SaltOrder.PREFIX)
    assert verify("Testing123!", h)
    direct = hash_password(HashAlgorithm.SHA256, "Testing123!", salt=b"MPu13OmY")
    assert direct == h


def test_documented_md5_and_sha1_examples() -> None:
    # reference.md §2: MD5 salt TXlTYWx0 ("MySalt") PREFIX, SHA-1 salt UEO3wsAsgzQ= POSTFIX.
    md5_hex = _b64decode("jqACjUUFXM1XE6NiLALAbA==").hex()
    md5 = to_okta_hash(
        {"scheme": "md5", "hex": md5_hex, "salt": "MySalt", "saltPosition": "prefix"}
    )
    assert md5.to_okta() == {
        "algorithm": "MD5",
        "salt": "TXlTYWx0",
        "saltOrder": "PREFIX",
        "value": "jqACjUUFXM1XE6NiLALAbA==",
    }
    assert verify("Abcd1234", md5)
    sha1 = hash_password(
        HashAlgorithm.SHA1,
        "P@ssw0rd",
        salt=_b64decode("UEO3wsAsgzQ="),
        salt_order=SaltOrder.POSTFIX,
    )
    assert (sha1.salt, sha1.value) == ("UEO3wsAsgzQ=", "xjrauE6J6kbjcvMjWSSc+PsBBls=")


def test_sha512_support_article_salt_is_base64_encoded() -> None:
    salt = "&*GAH*AO*AL)AF#P(AHG#A"
    digest = hashlib.sha512(b"s3cr3tp@ssw0rd" + salt.encode()).hexdigest()
    h = to_okta_hash({"scheme": "sha512", "hex": digest, "salt": salt, "saltPosition": "suffix"})
    assert h.salt == "JipHQUgqQU8qQUwpQUYjUChBSEcjQQ=="  # as the article sends it
    assert h.salt_order is SaltOrder.POSTFIX
    assert verify("s3cr3tp@ssw0rd", h)


def test_bcrypt_is_split_as_the_support_article_shows() -> None:
    full = "$2a$10$qRRx8rli7Lvs2h2CNgCQ2OmVA2NDdomRGoGFrAXDZcno0OZ6CoOU2"
    h = to_okta_hash({"scheme": "bcrypt", "hash": full})
    assert h.to_okta() == {
        "algorithm": "BCRYPT",
        "workFactor": 10,
        "salt": "qRRx8rli7Lvs2h2CNgCQ2O",
        "value": "mVA2NDdomRGoGFrAXDZcno0OZ6CoOU2",
    }


@pytest.mark.parametrize("prefix", ["2a", "2b", "2y"])
def test_bcrypt_of_each_prefix_verifies(prefix: str) -> None:
    salt = bcrypt.gensalt(4, prefix=b"2b").decode()[7:]
    full = bcrypt.hashpw("Grüße42!".encode(), f"$2b$04${salt}".encode()).decode()
    h = to_okta_hash({"scheme": "bcrypt", "hash": f"${prefix}" + full[3:]})
    assert (h.work_factor, h.salt, h.value) == (4, full[7:29], full[29:])
    assert verify("Grüße42!", h)
    assert not verify("Grüße42?", h)


@pytest.mark.parametrize(
    ("scheme", "digest", "size"), [("pbkdf2_sha256", "sha256", 32), ("pbkdf2_sha512", "sha512", 64)]
)
def test_django_pbkdf2_fields(scheme: str, digest: str, size: int) -> None:
    key = hashlib.pbkdf2_hmac(digest, b"correct horse", b"Zq3saltSALT", 4096)
    legacy = {
        "scheme": scheme,
        "hash": f"{scheme}$4096$Zq3saltSALT${base64.b64encode(key).decode()}",
    }
    h = to_okta_hash(legacy)
    assert h.to_okta() == {
        "algorithm": "PBKDF2",
        "iterationCount": 4096,
        "keySize": size,
        "digestAlgorithm": "SHA256_HMAC" if digest == "sha256" else "SHA512_HMAC",
        "salt": base64.b64encode(b"Zq3saltSALT").decode(),
        "value": base64.b64encode(key).decode(),
    }
    assert verify("correct horse", h)
    assert parse_hash(h.to_okta()) == h


def test_sha256_salt_follows_the_configured_reading() -> None:
    digest = hashlib.sha256(b"pepper" + "pässword".encode()).hexdigest()
    legacy = {"scheme": "sha256", "hex": digest, "salt": "pepper", "saltPosition": "prefix"}
    literal = to_okta_hash(legacy)
    encoded = to_okta_hash(legacy, sha256_salt=SaltEncoding.BASE64)
    assert literal.salt == "pepper"
    assert encoded.salt == base64.b64encode(b"pepper").decode()
    assert verify("pässword", literal, SaltEncoding.LITERAL)
    assert verify("pässword", encoded, SaltEncoding.BASE64)
    assert not verify("pässword", encoded, SaltEncoding.LITERAL)


def test_unsalted_digest_has_no_salt_fields() -> None:
    digest = hashlib.md5(b"hunter2").hexdigest()
    h = to_okta_hash({"scheme": "md5", "hex": digest, "salt": None, "saltPosition": None})
    assert h.to_okta() == {
        "algorithm": "MD5",
        "value": base64.b64encode(bytes.fromhex(digest)).decode(),
    }
    assert verify("hunter2", h)


@pytest.mark.parametrize(
    "legacy",
    [
        {"scheme": "scrypt", "hash": "scrypt$1024$abc$8$1$" + base64.b64encode(b"k" * 64).decode()},
        {"scheme": "argon2id", "hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"},
        {
            "scheme": "pbkdf2_sha256",
            "hash": "pbkdf2_sha256$1000$salt$" + base64.b64encode(b"k" * 32).decode(),
        },
    ],
)
def test_hashes_okta_cannot_import_name_the_hook(legacy: dict[str, Any]) -> None:
    with pytest.raises(NeedsImportHook, match="use the password import inline hook"):
        to_okta_hash(legacy)


@pytest.mark.parametrize(
    "legacy",
    [
        {"scheme": "bcrypt", "hash": "$2b$10$tooshort"},
        {"scheme": "sha1", "hex": "abc", "salt": None, "saltPosition": None},
        {"scheme": "sha1", "hex": "a" * 40, "salt": "s", "saltPosition": "middle"},
        {"hash": "x"},
    ],
)
def test_malformed_legacy_passwords_say_what_is_wrong(legacy: dict[str, Any]) -> None:
    with pytest.raises(EncodeError) as info:
        to_okta_hash(legacy)
    assert not isinstance(info.value, NeedsImportHook)
    assert "password." in str(info.value)


def _okta_salt_bytes(h: PasswordHash) -> bytes:
    """How Okta reads the salt, written out independently of the mock (reference.md §2)."""
    if not h.salt:
        return b""
    if h.algorithm is HashAlgorithm.SHA256:
        return h.salt.encode()
    return base64.b64decode(h.salt)


def test_every_dataset_record_converts_to_a_hash_hashlib_and_the_server_verify(
    users: list[dict[str, Any]], oracle: dict[str, dict[str, Any]]
) -> None:
    for line in users:
        if line["password"]["scheme"] == "scrypt":
            continue
        plaintext = oracle[line["profile"]["login"]]["password"]
        h = to_okta_hash(line["password"])
        assert parse_hash(h.to_okta()) == h
        assert verify(plaintext, h), line
        pw = plaintext.encode()
        if h.algorithm is HashAlgorithm.BCRYPT:
            rebuilt = f"$2b${h.work_factor:02d}${h.salt}{h.value}".encode()
            assert bcrypt.checkpw(pw, rebuilt)
        elif h.algorithm is HashAlgorithm.PBKDF2:
            name = "sha256" if h.digest_algorithm is DigestAlgorithm.SHA256_HMAC else "sha512"
            key = hashlib.pbkdf2_hmac(
                name, pw, base64.b64decode(h.salt or ""), h.iteration_count or 0
            )
            assert base64.b64decode(h.value) == key[: h.key_size]
        else:
            salt = _okta_salt_bytes(h)
            data = pw + salt if h.salt_order is SaltOrder.POSTFIX else salt + pw
            name = {"SHA-256": "sha256", "SHA-512": "sha512", "SHA-1": "sha1", "MD5": "md5"}
            assert base64.b64decode(h.value) == hashlib.new(name[h.algorithm.value], data).digest()


# ----- mock-okta hash


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any] | None, str]:
    code = encoder.main(list(args))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def test_hash_command_prints_the_forum_answer(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "--algorithm",
        "SHA-256",
        "--password",
        "Testing123!",
        "--salt",
        "MPu13OmY",
        "--salt-order",
        "PREFIX",
    )
    assert code == 0
    assert out is not None
    assert out["salt"] == "MPu13OmY"
    assert _b64decode(out["value"]) == _b64decode(FORUM_BASE64)


@pytest.mark.parametrize(
    "args",
    [
        ["--algorithm", "BCRYPT", "--work-factor", "4"],
        ["--algorithm", "SHA-512", "--salt", "&*GAH*", "--salt-order", "POSTFIX"],
        ["--algorithm", "SHA-1"],
        ["--algorithm", "MD5", "--salt", "MySalt"],
        ["--algorithm", "PBKDF2", "--salt", "NaCl", "--digest-algorithm", "SHA512_HMAC"],
    ],
)
def test_hash_command_output_verifies(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, _ = _run(capsys, *args, "--password", "Pässword1!")
    assert code == 0
    h = parse_hash(out)
    assert verify("Pässword1!", h)
    assert not verify("Pässword1?", h)


def test_hash_from_legacy_reads_inline_json_files_and_dataset_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    legacy = {
        "scheme": "sha1",
        "hex": hashlib.sha1(b"saltpw").hexdigest(),
        "salt": "salt",
        "saltPosition": "prefix",
    }
    code, inline, _ = _run(capsys, "--from-legacy", json.dumps(legacy))
    assert code == 0
    assert inline == {
        "algorithm": "SHA-1",
        "salt": base64.b64encode(b"salt").decode(),
        "saltOrder": "PREFIX",
        "value": base64.b64encode(hashlib.sha1(b"saltpw").digest()).decode(),
    }
    line = tmp_path / "line.json"
    line.write_text(
        json.dumps({"id": 1, "profile": {"login": "a@example.com"}, "password": legacy})
    )
    code, from_file, _ = _run(capsys, "--from-legacy", f"@{line}")
    assert (code, from_file) == (0, inline)


def test_hash_from_legacy_refuses_scrypt_with_the_fix(capsys: pytest.CaptureFixture[str]) -> None:
    legacy = {
        "scheme": "scrypt",
        "hash": "scrypt$1024$abc$8$1$" + base64.b64encode(b"k" * 64).decode(),
    }
    code, out, err = _run(capsys, "--from-legacy", json.dumps(legacy))
    assert (code, out) == (1, None)
    assert "use the password import inline hook" in err


def test_hash_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        encoder.main(["--algorithm", "SHA-1"])
    assert info.value.code == 2
    assert "--password" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        encoder.main(["--from-legacy", "{not json"])
    assert info.value.code == 2
