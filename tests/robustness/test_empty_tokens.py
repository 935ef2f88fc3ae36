"""An empty or blank API token is refused wherever a token is configured (issue #20 item 4):
once, `--token ""` made `Authorization: SSWS` with nothing after it authenticate every route."""

from __future__ import annotations

import pytest

from mock_okta.config import ConfigError, Settings
from mock_okta.server import main
from mock_okta.testing import mock_okta
from tests.conftest import Api

EMPTY = "an API token may not be empty or blank"


@pytest.mark.parametrize("token", ["", " ", "\t"])
def test_serve_refuses_an_empty_or_blank_token(
    token: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MOCK_OKTA_TOKEN", raising=False)
    assert main(["--db", ":memory:", "--token", "good", "--token", token]) == 2
    err = capsys.readouterr().err
    assert f"mock-okta serve: {EMPTY} ({token!r})" in err
    assert "give --token (or MOCK_OKTA_TOKEN) the token clients send" in err


def test_serve_refuses_a_token_with_spaces_around_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", ":memory:", "--token", " s3cret-value "]) == 2
    err = capsys.readouterr().err
    assert "may not begin or end with a space" in err
    assert "s3cret" not in err  # a token is a secret: CI logs never show it


@pytest.mark.parametrize("value", ["", "  ", "a,,b", "a,"])
def test_an_empty_token_in_the_environment_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="holds an empty token") as caught:
        Settings.from_env({"MOCK_OKTA_TOKEN": value})
    assert "or unset it to use test-token" in str(caught.value)


def test_tokens_from_the_environment() -> None:
    assert Settings.from_env({"MOCK_OKTA_TOKEN": "a, b"}).tokens == ("a", "b")
    assert Settings.from_env({}).tokens == ("test-token",)


def test_settings_and_the_in_process_mock_refuse_an_empty_token() -> None:
    with pytest.raises(ConfigError, match=EMPTY):
        Settings(tokens=("ok", ""))
    with pytest.raises(ConfigError, match=EMPTY):
        mock_okta(tokens=[""])


@pytest.mark.parametrize("header", ["SSWS", "SSWS ", "SSWS  ", ""])
def test_an_empty_credential_never_authenticates(api: Api, header: str) -> None:
    response = api.client.get("/api/v1/users", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["errorCode"] == "E0000011"
