"""okta-auth-js (npm, pinned in tests/node) signs in, and its sessionToken becomes OIDC tokens.

`signInWithCredentials` posts /api/v1/authn (in Node only the authn subset works, reference.md
§7.8); the one-time sessionToken is then exchanged at /oauth2/default/v1/authorize with
`prompt=none` and PKCE, as the Sign-In Widget and okta-auth-js do in a browser.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from tests.e2e.serving import OIDC_LOGIN as LOGIN
from tests.e2e.serving import oidc_org
from tests.helpers import PASSWORD, sha_hash, with_hash

CALLBACK = "http://127.0.0.1/callback"
VERIFIER = "okta-auth-js-verifier-0123456789-0123456789-abc"
SCRIPT = """
const { OktaAuth } = require('@okta/okta-auth-js');
const auth = new OktaAuth({ issuer: process.env.ISSUER, clientId: process.env.CLIENT_ID,
                            redirectUri: process.env.CALLBACK });
auth.signInWithCredentials({ username: process.env.LOGIN, password: process.env.PASSWORD })
  .then(tx => console.log(JSON.stringify({ status: tx.status, sessionToken: tx.sessionToken })))
  .catch(err => console.log(JSON.stringify({ error: String(err), code: err.errorCode })));
"""


def test_okta_auth_js_session_token_is_exchanged_for_tokens(node_clients: Any) -> None:
    spa = {
        "redirect_uris": [CALLBACK],
        "response_types": ["code"],
        "grant_types": ["authorization_code"],
        "application_type": "browser",
    }
    with oidc_org(with_hash(sha_hash(PASSWORD)), "SPA", "none", spa) as (live, uid, oauth):
        client_id = oauth["client_id"]
        env = {
            "ISSUER": f"{live.url}/oauth2/default",
            "CLIENT_ID": client_id,
            "CALLBACK": CALLBACK,
            "LOGIN": LOGIN,
            "PASSWORD": PASSWORD,
        }
        result = node_clients.run(SCRIPT, env=env).json()
        assert result["status"] == "SUCCESS", result
        challenge = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest())
        back = requests.get(
            f"{live.url}/oauth2/default/v1/authorize",
            params={
                "client_id": client_id,
                "response_type": "code",
                "scope": "openid",
                "redirect_uri": CALLBACK,
                "state": "s",
                "prompt": "none",
                "sessionToken": result["sessionToken"],
                "code_challenge": challenge.rstrip(b"=").decode(),
                "code_challenge_method": "S256",
            },
            allow_redirects=False,
            timeout=10,
        )
        assert back.status_code == 302, back.text
        code = parse_qs(urlsplit(back.headers["Location"]).query)["code"][0]
        tokens = requests.post(
            f"{live.url}/oauth2/default/v1/token",
            data={
                "grant_type": "authorization_code",
                "client_id": client_id,
                "code": code,
                "redirect_uri": CALLBACK,
                "code_verifier": VERIFIER,
            },
            timeout=10,
        )
        assert tokens.status_code == 200, tokens.text
        payload = tokens.json()["id_token"].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["sub"] == uid
    assert claims["aud"] == client_id
