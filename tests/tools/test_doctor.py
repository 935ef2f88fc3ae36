"""`mock-okta doctor`: hash objects, legacy records with oracle lines, and a running mock."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import bcrypt
import pytest
import requests

from mock_okta.testing.client import ControlClient
from mock_okta.tools import doctor
from tests.tools.conftest import read_jsonl

FORUM_HEX = {
    "algorithm": "SHA-256",
    "salt": "MPu13OmY",
    "saltOrder": "PREFIX",
    "value": "4DD2ED3C3DAC519EA09D10D492F69082A65C66DB58061A01A9019223FA57AA75",
}
FORUM_OK = {**FORUM_HEX, "value": "TdLtPD2sUZ6gnRDUkvaQgqZcZttYBhoBqQGSI/pXqnU"}
PASSWORD = "Pässw0rd!"
BCRYPT_6 = bcrypt.hashpw(PASSWORD.encode(), b"$2y$06$0123456789abcdefghijku").decode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = doctor.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_forum_hex_value_is_explained(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "hash.json"
    path.write_text(json.dumps(FORUM_HEX))
    code, out, _ = run(capsys, str(path), "--password", "Testing123!")
    assert code == 1
    assert "hex digest" in out
    assert "Base64 of the raw digest bytes" in out


def test_the_forum_answer_will_verify(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, json.dumps(FORUM_OK), "--password", "Testing123!")
    assert (code, out.strip()) == (0, "Okta will verify this password against this SHA-256 hash.")


def test_a_whole_create_body_on_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {"profile": {"login": "a@example.com"}, "credentials": {"password": {"hash": FORUM_OK}}}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(body)))
    code, out, _ = run(capsys, "-", "--password", "Testing123!")
    assert code == 0, out


@pytest.mark.parametrize(
    ("raw", "phrase"),
    [
        (
            {
                "algorithm": "SHA-1",
                "salt": "qsBix3+FvBzW6jDjS+h3O6I7XQY=",
                "saltOrder": "PREFIX",
                "value": b64(
                    hashlib.sha1(b"qsBix3+FvBzW6jDjS+h3O6I7XQY=" + PASSWORD.encode()).digest()
                ),
            },
            "Okta Base64-decodes the salt of SHA-1",
        ),
        (
            {
                "algorithm": "SHA-256",
                "salt": b64(b"pepper"),
                "saltOrder": "PREFIX",
                "value": b64(hashlib.sha256(b"pepper" + PASSWORD.encode()).digest()),
            },
            "uses a SHA-256 salt as the text it is",
        ),
        (
            {
                "algorithm": "SHA-512",
                "salt": b64(b"pepper"),
                "saltOrder": "POSTFIX",
                "value": b64(hashlib.sha512(b"pepper" + PASSWORD.encode()).digest()),
            },
            "set saltOrder to PREFIX",
        ),
        ({"algorithm": "BCRYPT", "workFactor": 6, "value": BCRYPT_6}, "whole $2y$ bcrypt string"),
        (
            {"algorithm": "BCRYPT", "workFactor": 6, "salt": BCRYPT_6[:29], "value": BCRYPT_6[29:]},
            "$2y$06$ prefix was left in salt",
        ),
        (
            {
                "algorithm": "BCRYPT",
                "workFactor": 6,
                "salt": BCRYPT_6[7:28],
                "value": BCRYPT_6[28:],
            },
            "split at the wrong place",
        ),
        (
            {
                "algorithm": "BCRYPT",
                "workFactor": 10,
                "salt": BCRYPT_6[7:29],
                "value": BCRYPT_6[29:],
            },
            "set workFactor to 6",
        ),
        (
            {"algorithm": "MD5", "value": b64(hashlib.sha1(PASSWORD.encode()).digest())},
            "set algorithm to SHA-1",
        ),
        (
            {
                "algorithm": "SHA-1",
                "value": b64(hashlib.sha1(PASSWORD.encode("utf-16-le")).digest()),
            },
            "hashed as UTF-16",
        ),
    ],
)
def test_each_mistake_gets_its_cause(
    capsys: pytest.CaptureFixture[str], raw: dict[str, Any], phrase: str
) -> None:
    code, out, _ = run(capsys, json.dumps(raw), "--password", PASSWORD)
    assert code == 1
    assert phrase in out
    assert PASSWORD not in out


def test_usage_problems_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, json.dumps(FORUM_OK))
    assert code == 2
    assert "--password" in err
    code, _, err = run(capsys, str(tmp_path / "missing.json"), "--password", "x")
    assert code == 2
    assert "cannot read" in err
    code, _, err = run(capsys, "{nope", "--password", "x")
    assert code == 2
    assert "not JSON" in err


# ----- legacy records and oracle lines


def test_a_whole_dataset_converts_as_its_oracle_says(
    capsys: pytest.CaptureFixture[str], dataset_dir: Path
) -> None:
    code, out, _ = run(capsys, "--legacy", str(dataset_dir))
    assert code == 0, out
    assert "240 records checked: 240 as the oracle says, 0 not" in out


def test_a_broken_record_in_a_dataset_is_named(
    capsys: pytest.CaptureFixture[str], dataset_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(dataset_dir, copy)
    lines = read_jsonl(copy / "users.jsonl")
    victim = next(line for line in lines if line["password"]["scheme"] == "sha1")
    victim["password"]["hex"] = hashlib.sha1(b"something else").hexdigest()
    (copy / "users.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, out, _ = run(capsys, "--legacy", str(copy))
    assert code == 1
    assert f"FAIL {victim['profile']['login']}: the legacy hash does not match" in out


def test_one_record_with_its_oracle_line(
    capsys: pytest.CaptureFixture[str], users: list[dict[str, Any]], oracle: dict[str, Any]
) -> None:
    for scheme in ("bcrypt", "sha256", "pbkdf2_sha256"):
        line = next(x for x in users if x["password"]["scheme"] == scheme and "defect" not in x)
        expect = oracle[line["profile"]["login"]]
        code, out, _ = run(capsys, "--legacy", json.dumps(line), "--oracle", json.dumps(expect))
        assert code == 0, out
        assert "Okta will verify the converted" in out
        wrong = {**expect, "password": "not it"}
        code, out, _ = run(capsys, "--legacy", json.dumps(line), "--oracle", json.dumps(wrong))
        assert code == 1
        assert "does not match the oracle's plaintext" in out


def test_a_legacy_password_object_and_a_plaintext(capsys: pytest.CaptureFixture[str]) -> None:
    legacy = {"scheme": "md5", "hex": hashlib.md5(b"salt" + PASSWORD.encode()).hexdigest()}
    legacy |= {"salt": "salt", "saltPosition": "prefix"}
    code, out, _ = run(capsys, "--legacy", json.dumps(legacy), "--password", PASSWORD)
    assert code == 0, out


def test_defects_are_reported_as_the_oracle_expects(
    capsys: pytest.CaptureFixture[str], users: list[dict[str, Any]], oracle: dict[str, Any]
) -> None:
    for kind, phrase in (
        ("unsupported-scheme", "use the password import inline hook"),
        ("missing-email", "email is required"),
        ("login-too-long", "5 to 100 characters"),
    ):
        line = next(x for x in users if x.get("defect", {}).get("kind") == kind)
        expect = oracle[line["profile"]["login"]]
        code, out, _ = run(capsys, "--legacy", json.dumps(line), "--oracle", json.dumps(expect))
        assert code == 0, out
        assert phrase in out
    scrypt = next(x for x in users if x["password"]["scheme"] == "scrypt")
    not_hook = {**oracle[scrypt["profile"]["login"]], "via": "hash"}
    code, out, _ = run(capsys, "--legacy", json.dumps(scrypt), "--oracle", json.dumps(not_hook))
    assert code == 1


# ----- a running mock


def _create(mock: ControlClient, login: str, hash_object: dict[str, Any]) -> None:
    body = {
        "profile": {"login": login, "email": login, "firstName": "Isaac", "lastName": "Brock"},
        "credentials": {"password": {"hash": hash_object}},
    }
    headers = {"Authorization": f"SSWS {mock.token}"}
    response = requests.post(f"{mock.url}/api/v1/users", json=body, headers=headers, timeout=10)
    assert response.status_code == 200, response.text


def _sign_in(mock: ControlClient, login: str, password: str) -> int:
    body = {"username": login, "password": password}
    return requests.post(f"{mock.url}/api/v1/authn", json=body, timeout=10).status_code


def test_asks_a_running_mock_why_the_last_login_failed(
    capsys: pytest.CaptureFixture[str], mock_okta: ControlClient
) -> None:
    _create(mock_okta, "isaac@example.com", FORUM_HEX)
    _create(mock_okta, "micah@example.com", FORUM_OK)
    assert _sign_in(mock_okta, "isaac@example.com", "Testing123!") == 401
    assert _sign_in(mock_okta, "micah@example.com", "Testing123!") == 200
    base = ["--url", mock_okta.url, "--token", mock_okta.token, "--login"]
    code, out, _ = run(capsys, *base, "ISAAC@example.com")
    assert code == 1
    assert "the newest sign-in failed" in out
    assert "401 E0000004" in out
    assert "hex digest" in out
    code, out, _ = run(capsys, *base, "micah@example.com")
    assert code == 0
    assert "succeeded" in out
    code, _, err = run(capsys, *base, "nobody@example.com")
    assert code == 2
    assert "sign in once" in err
    code, _, err = run(
        capsys, "--url", mock_okta.url, "--token", "wrong", "--login", "x@example.com"
    )
    assert code == 2
    assert "--token" in err


def test_an_unreachable_mock_is_a_usage_problem(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--url", "http://127.0.0.1:9", "--login", "a@example.com")
    assert code == 2
    assert "start the mock" in err


def _oidc_password_grant(mock: ControlClient, login: str, password: str) -> int:
    """A password grant on an OIDC app made here: the sign-in an app's backend would do."""
    headers = {"Authorization": f"SSWS {mock.token}"}
    app = {
        "name": "oidc_client",
        "label": f"Doctor app {login}",
        "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {
            "oauthClient": {
                "grant_types": ["password"],
                "response_types": ["code"],
                "application_type": "web",
            }
        },
    }
    created = requests.post(f"{mock.url}/api/v1/apps", json=app, headers=headers, timeout=10)
    assert created.status_code == 200, created.text
    oauth = created.json()["credentials"]["oauthClient"]
    form = {"grant_type": "password", "username": login, "password": password, "scope": "openid"}
    return requests.post(
        f"{mock.url}/oauth2/default/v1/token",
        data=form,
        auth=(oauth["client_id"], oauth["client_secret"]),
        timeout=10,
    ).status_code


def test_explains_a_failed_oidc_sign_in_too(
    capsys: pytest.CaptureFixture[str], mock_okta: ControlClient
) -> None:
    _create(mock_okta, "kim@example.com", FORUM_HEX)
    assert _oidc_password_grant(mock_okta, "kim@example.com", "Testing123!") == 400
    code, out, _ = run(
        capsys, "--url", mock_okta.url, "--token", mock_okta.token, "--login", "kim@example.com"
    )
    assert code == 1
    assert "400 invalid_grant" in out
    assert "hex digest" in out
