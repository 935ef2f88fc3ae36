"""The hosted sign-in page changes an expired password and goes on with the authorize request,
as Okta's widget does (issue #17's follow-up): every wrong input keeps the form, nothing else
changes, and no password reaches the journal."""

from __future__ import annotations

import json
from html import unescape
from typing import Any

from flask.testing import FlaskClient

from mock_okta.org import Org
from tests.conftest import Api
from tests.helpers import PASSWORD, with_password
from tests.http.test_oauth import (
    LOGIN,
    exchange,
    grants,
    hidden_fields,
    location,
    oidc_app,
    sign_in,
)

NEW = "Battery-Staple-42"


def change(client: FlaskClient, page: Any, old: str, new: str, confirm: str | None = None) -> Any:
    html = page.get_data(as_text=True)
    assert "id='change-password'" in html
    form = {
        **hidden_fields(html),
        "oldPassword": old,
        "newPassword": new,
        "confirmPassword": new if confirm is None else confirm,
    }
    return client.post("/oauth2/default/v1/signin", data=form)


def alert(page: Any) -> str:
    html = page.get_data(as_text=True)
    start = html.index("id='error' class='error'>") + len("id='error' class='error'>")
    return unescape(html[start : html.index("</p>", start)])


def expired_user(api: Api) -> str:
    uid = api.created_id(LOGIN, credentials=with_password())
    assert api.call("POST", f"/api/v1/users/{uid}/lifecycle/expire_password").status_code == 200
    return uid


def test_an_expired_password_is_changed_on_the_page_then_the_code_flow_goes_on(
    api: Api, client: FlaskClient, org: Org
) -> None:
    uid = expired_user(api)
    client_id, secret = oidc_app(api)
    page = sign_in(client, client_id, PASSWORD)
    assert (page.status_code, alert(page)) == (401, "Your password has expired.")
    assert hidden_fields(page.get_data(as_text=True))["stateToken"]

    wrong_old = change(client, page, "Not-The-Old-1", NEW)
    assert (wrong_old.status_code, alert(wrong_old)) == (
        401,
        "oldPassword: The credentials provided were incorrect.",
    )
    differ = change(client, wrong_old, PASSWORD, NEW, confirm=NEW + "x")
    assert (differ.status_code, alert(differ)) == (401, "The new passwords do not match.")
    weak = change(client, differ, PASSWORD, "short")
    assert weak.status_code == 401
    assert alert(weak) == (
        "Passwords must have at least 8 characters, a lowercase letter, an uppercase letter,"
        " a number, no parts of your username"
    )
    assert api.call("GET", f"/api/v1/users/{uid}").json["status"] == "PASSWORD_EXPIRED"
    assert [kind for kind, _ in grants(org)] == []  # no session, no code yet

    done = change(client, weak, PASSWORD, NEW)
    params = location(done)
    assert params["state"] == "st-1"
    assert "sid" in done.headers["Set-Cookie"]
    tokens = exchange(client, client_id, secret, params["code"])
    assert tokens.status_code == 200
    assert {"access_token", "id_token", "refresh_token"} <= set(tokens.get_json())
    assert api.call("GET", f"/api/v1/users/{uid}").json["status"] == "ACTIVE"

    authn = api.call("POST", "/api/v1/authn", {"username": LOGIN, "password": NEW})
    assert authn.json["status"] == "SUCCESS"
    old = api.call("POST", "/api/v1/authn", {"username": LOGIN, "password": PASSWORD})
    assert old.status_code == 401

    org.journal.flush()
    journal = json.dumps(api.call("GET", "/_mock/requests").json)
    for secret_text in (PASSWORD, NEW, "Not-The-Old-1", NEW + "x"):
        assert secret_text not in journal
    events = api.call("GET", "/api/v1/logs", query_string={"filter": f'target.id eq "{uid}"'}).json
    assert "user.account.update_password" in [e["eventType"] for e in events]


def test_a_spent_transaction_sends_the_user_back_to_sign_in(
    api: Api, client: FlaskClient, org: Org
) -> None:
    expired_user(api)
    client_id, _ = oidc_app(api)
    page = sign_in(client, client_id, PASSWORD)
    assert location(change(client, page, PASSWORD, NEW))["state"] == "st-1"
    again = change(client, page, NEW, "Another-Pass-77")  # the same stateToken, used
    assert again.status_code == 401
    assert alert(again) == "Your session has expired. Sign in again."
    assert "id='signin'" in again.get_data(as_text=True)
