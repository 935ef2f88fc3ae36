"""Benchmark OIDC sign-ins: password-grant sign-ins/s beside authn's, and the ID token's cost.

    .venv/bin/python benchmarks/bench_oidc.py                 # 200 first logins, 1000 repeats
    .venv/bin/python benchmarks/bench_oidc.py --first 100 --repeat 500 --clients 2

Starts `mock-okta serve` (gunicorn) on a free port with a temporary SQLite file and
`--rate-limits off`; users are bulk-seeded with bcrypt (cost 10) hashes. Each comparison runs
side by side, A B A B in chunks, in one run, and reports the ratio:

- first login (bcrypt cost 10, then the re-hash): POST /oauth2/default/v1/token with
  grant_type=password against POST /api/v1/authn, each on its own users;
- repeat login (the mock's own hash): the same two on users already signed in;
- the ID token's cost: the password grant with scope `openid` (ID + access token) against
  scope `profile` (access token only), and the RS256 signature alone, in-process.

Numbers depend on the machine; they are measured, never asserted.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import bcrypt
from bench_server import HEADERS, PASSWORD, free_port, start_server

Request = tuple[str, bytes, dict[str, str]]


def call(port: int, method: str, path: str, body: object) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(method, path, body=json.dumps(body), headers=HEADERS)
    response = conn.getresponse()
    data = response.read()
    if response.status not in (200, 201):
        raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
    return json.loads(data)


def seed(port: int, run: str, n: int) -> None:
    """`n` users whose legacy bcrypt (cost 10) hash is imported as Okta's split BCRYPT."""
    legacy = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(10)).decode()
    hash_object = {"algorithm": "BCRYPT", "workFactor": 10, "salt": legacy[7:29]}
    hash_object["value"] = legacy[29:]
    for start in range(0, n, 2000):
        users = [
            {
                "profile": {
                    "login": f"{run}.{i}@example.com",
                    "email": f"{run}.{i}@example.com",
                    "firstName": "Bench",
                    "lastName": f"U{i}",
                },
                "credentials": {"password": {"hash": hash_object}},
            }
            for i in range(start, min(n, start + 2000))
        ]
        call(port, "POST", "/_mock/users", {"users": users})


def oidc_app(port: int) -> tuple[str, str]:
    body = {
        "name": "oidc_client",
        "label": "Bench app",
        "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {
            "oauthClient": {
                "redirect_uris": ["https://app.example.com/callback"],
                "grant_types": ["authorization_code", "password"],
                "response_types": ["code"],
                "application_type": "web",
            }
        },
    }
    creds = call(port, "POST", "/api/v1/apps", body)["credentials"]["oauthClient"]
    return creds["client_id"], creds["client_secret"]


def token_request(login: str, scope: str, client: tuple[str, str]) -> Request:
    form = {"grant_type": "password", "username": login, "password": PASSWORD, "scope": scope}
    basic = base64.b64encode(f"{client[0]}:{client[1]}".encode()).decode()
    headers = {
        "Authorization": f"Basic {basic}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return "/oauth2/default/v1/token", urlencode(form).encode(), headers


def authn_request(login: str) -> Request:
    body = json.dumps({"username": login, "password": PASSWORD}).encode()
    return "/api/v1/authn", body, {"Content-Type": "application/json"}


def drive(port: int, requests: list[Request], clients: int) -> float:
    """Send `requests` over `clients` keep-alive connections; seconds taken."""
    errors: list[str] = []

    def work(chunk: list[Request]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for path, body, headers in chunk:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            if response.status != 200:
                errors.append(f"{path}: {response.status} {data[:200]!r}")

    threads = [threading.Thread(target=work, args=(requests[c::clients],)) for c in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(errors[0])
    return time.perf_counter() - start


def side_by_side(
    port: int, a: list[Request], b: list[Request], clients: int, chunks: int = 4
) -> tuple[float, float]:
    """A B A B in `chunks` rounds; requests per second of each."""
    seconds = [0.0, 0.0]
    size_a, size_b = -(-len(a) // chunks), -(-len(b) // chunks)
    for c in range(chunks):
        seconds[0] += drive(port, a[c * size_a : (c + 1) * size_a], clients)
        seconds[1] += drive(port, b[c * size_b : (c + 1) * size_b], clients)
    return len(a) / seconds[0], len(b) / seconds[1]


def signature_cost(rounds: int = 300) -> tuple[float, float]:
    """Microseconds per RS256 ID token signed, and per HMAC of the same claims (a floor)."""
    import hashlib
    import hmac

    from cryptography.hazmat.primitives.asymmetric import rsa

    from mock_okta.oauth import jwt

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims: dict[str, object] = {"sub": "00u" + "x" * 17, "iss": "http://x", "aud": "0oa", "n": 1}
    start = time.perf_counter()
    for _ in range(rounds):
        jwt.sign(key, "kid", claims)
    rs256 = (time.perf_counter() - start) / rounds * 1e6
    start = time.perf_counter()
    for _ in range(rounds):
        hmac.new(b"k" * 32, json.dumps(claims).encode(), hashlib.sha256).digest()
    floor = (time.perf_counter() - start) / rounds * 1e6
    return rs256, floor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=int, default=200, help="first logins of each kind")
    parser.add_argument("--repeat", type=int, default=1000, help="repeat logins of each kind")
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        extra = ["--rate-limits", "off", "--workers", str(args.workers)]
        proc = start_server(port, Path(tmp) / "bench.db", extra)
        try:
            client = oidc_app(port)
            seed(port, "grant", args.first)
            seed(port, "authn", args.first)
            grant_logins = [f"grant.{i}@example.com" for i in range(args.first)]
            authn_logins = [f"authn.{i}@example.com" for i in range(args.first)]
            first = side_by_side(
                port,
                [token_request(x, "openid", client) for x in grant_logins],
                [authn_request(x) for x in authn_logins],
                args.clients,
            )
            times = -(-args.repeat // args.first)
            repeat = side_by_side(
                port,
                [token_request(x, "openid", client) for x in grant_logins * times][: args.repeat],
                [authn_request(x) for x in authn_logins * times][: args.repeat],
                args.clients,
            )
            id_token = side_by_side(
                port,
                [token_request(x, "openid", client) for x in grant_logins * times][: args.repeat],
                [token_request(x, "profile", client) for x in grant_logins * times][: args.repeat],
                args.clients,
            )
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    rs256, floor = signature_cost()
    report = {
        "firstLogin_bcrypt10": {
            "passwordGrantPerSecond": round(first[0], 1),
            "authnPerSecond": round(first[1], 1),
            "ratio": round(first[0] / first[1], 3),
        },
        "repeatLogin": {
            "passwordGrantPerSecond": round(repeat[0], 1),
            "authnPerSecond": round(repeat[1], 1),
            "ratio": round(repeat[0] / repeat[1], 3),
        },
        "idToken": {
            "withIdTokenPerSecond": round(id_token[0], 1),
            "accessTokenOnlyPerSecond": round(id_token[1], 1),
            "ratio": round(id_token[0] / id_token[1], 3),
            "rs256SignMicroseconds": round(rs256, 1),
            "hmacFloorMicroseconds": round(floor, 1),
        },
    }
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
