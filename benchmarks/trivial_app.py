"""A trivial Flask app with two of the mock's routes, for `benchmarks/compare.py`: what the
server and Flask cost on their own, answered with a user-sized body and no work."""

from __future__ import annotations

from flask import Flask, request
from flask.typing import ResponseReturnValue

app = Flask("trivial")
USER = {
    "id": "00ub0oNGTSWTBKOLGLNR",
    "status": "ACTIVE",
    "created": "2013-07-02T21:36:25.344Z",
    "lastUpdated": "2013-07-02T21:36:25.344Z",
    "profile": {"login": "isaac@example.com", "email": "isaac@example.com"},
    "credentials": {"password": {}, "provider": {"type": "OKTA", "name": "OKTA"}},
    "_links": {"self": {"href": "http://127.0.0.1/api/v1/users/00ub0oNGTSWTBKOLGLNR"}},
}


@app.get("/api/v1/users/<ref>")
def get_user(ref: str) -> ResponseReturnValue:
    return {**USER, "id": ref}


@app.post("/api/v1/users")
def create_user() -> ResponseReturnValue:
    body = request.get_json(silent=True) or {}
    return {**USER, "profile": body.get("profile", {})}
