"""/_mock/*: the control plane for tests. Not Okta-shaped; never rate-limited or journaled."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from mock_okta import serialize
from mock_okta.clock import MAX_OFFSET_SECONDS
from mock_okta.config import ConfigError
from mock_okta.errors import validation_error
from mock_okta.faults import FaultError
from mock_okta.journal import JournalQuery
from mock_okta.routes._http import base_url, current_org, json_object
from mock_okta.store import ListQuery

bp = Blueprint("control", __name__, url_prefix="/_mock")

MAX_JOURNAL_PAGE = 1000
# Journal sequence numbers and epoch seconds stay far below this (SQLite's integers: 2**63 - 1).
MAX_QUERY_NUMBER = 2**53


@bp.post("/reset")
def reset() -> ResponseReturnValue:
    """POST /_mock/reset — empty the org; configuration back to the server's start-up values."""
    current_org().reset()
    return {"reset": True}


@bp.post("/users")
def seed_users() -> ResponseReturnValue:
    """POST /_mock/users — bulk-create users, hashes included, with no rate limit."""
    users = current_org().store.seed_users(json_object().get("users"))
    return {"created": len(users), "users": [{"id": u.id, "login": u.login} for u in users]}, 201


@bp.get("/users")
def list_all_users() -> ResponseReturnValue:
    """GET /_mock/users — every user, DEPROVISIONED included, as Okta shows one; no rate limit."""
    page = current_org().store.list_users(
        ListQuery(search="id pr", limit=request.args.get("limit"), after=request.args.get("after"))
    )
    base = base_url()
    return {
        "users": [serialize.user(u, base) for u in page.users],
        "next": page.next_after,
    }


@bp.get("/groups")
def list_all_groups() -> ResponseReturnValue:
    """GET /_mock/groups — every group with its members' ids (Everyone's: null, it has all)."""
    size = _number("limit", int)
    limit = 200 if size is None else int(size)
    if not 1 <= limit <= MAX_JOURNAL_PAGE:
        raise validation_error("limit", f"limit must be from 1 to {MAX_JOURNAL_PAGE}")
    found = current_org().store.group_members(request.args.get("after"), limit)
    return {
        "groups": [serialize.group_members(group, members) for group, members in found],
        "next": found[-1][0].id if len(found) == limit else None,
    }


@bp.get("/config")
def get_config() -> ResponseReturnValue:
    """GET /_mock/config — the runtime configuration every worker uses."""
    return current_org().runtime().to_json()


@bp.put("/config")
def put_config() -> ResponseReturnValue:
    """PUT /_mock/config — change some settings at run time (wire names as GET returns them)."""
    try:
        return current_org().configure(json_object()).to_json()
    except ConfigError as exc:
        raise validation_error("config", str(exc)) from None


@bp.post("/clock")
def advance_clock() -> ResponseReturnValue:
    """POST /_mock/clock {"advance": seconds} — move virtual time forward."""
    seconds = json_object().get("advance")
    valid = isinstance(seconds, int | float) and not isinstance(seconds, bool)
    if not valid or not 0 <= float(seconds) <= MAX_OFFSET_SECONDS:  # type: ignore[arg-type]
        raise validation_error(
            "advance", f"a number of seconds from 0 to {MAX_OFFSET_SECONDS:.0f} is required"
        )
    org = current_org()
    try:
        offset = org.advance_clock(float(seconds))  # type: ignore[arg-type]
    except ConfigError as exc:
        raise validation_error("advance", str(exc)) from None
    return {"offset": offset, "now": org.clock.now()}


def _number(
    name: str, cast: type[int] | type[float], low: float = 0, high: float = MAX_QUERY_NUMBER
) -> int | float | None:
    """A numeric query parameter within [low, high], or 400 naming it."""
    text = request.args.get(name)
    if text is None or text == "":
        return None
    try:
        value = cast(text)
    except (ValueError, OverflowError):
        raise validation_error(name, f"{name} must be a number") from None
    if not low <= value <= high:  # NaN fails too
        raise validation_error(name, f"{name} must be from {low:g} to {high:g}")
    return value


@bp.get("/requests")
def list_requests() -> ResponseReturnValue:
    """GET /_mock/requests — the journal; filters: since, until, method, path, status, login."""
    given = _number("limit", int)
    limit = 100 if given is None else int(given)
    if not 1 <= limit <= MAX_JOURNAL_PAGE:
        raise validation_error("limit", f"limit must be from 1 to {MAX_JOURNAL_PAGE}")
    status = _number("status", int, 0, 999)
    query = JournalQuery(
        since=_number("since", float),
        until=_number("until", float),
        method=request.args.get("method"),
        path=request.args.get("path"),
        status=int(status) if status is not None else None,
        login=request.args.get("login"),
        after=int(_number("after", int) or 0),
        limit=limit,
    )
    org = current_org()
    org.settle()
    entries = org.journal.entries(query)
    more = len(entries) == limit
    return {"entries": entries, "next": entries[-1]["seq"] if more else None}


@bp.get("/faults")
def list_faults() -> ResponseReturnValue:
    """GET /_mock/faults — the rules, with how often each matched and what budget is left."""
    return {"faults": current_org().faults.listing()}


@bp.post("/faults")
def add_fault() -> ResponseReturnValue:
    """POST /_mock/faults — add a rule; see the README's fault injection recipe."""
    try:
        rule = current_org().add_fault(json_object())
    except FaultError as exc:
        raise validation_error("fault", str(exc)) from None
    return rule.to_json(), 201


@bp.delete("/faults")
def clear_faults() -> ResponseReturnValue:
    """DELETE /_mock/faults — remove every rule."""
    current_org().clear_faults()
    return "", 204


@bp.get("/stats")
def stats() -> ResponseReturnValue:
    """GET /_mock/stats — exact counters since the last reset, per bucket with projections."""
    org = current_org()
    org.settle()
    counters = org.journal.counters()
    return {
        "users": org.store.count_users(),
        "inflight": org.inflight.total(),
        "timeScale": org.runtime().time_scale,
        "buckets": org.bucket_stats(),
        "tokens": org.token_stats(counters),
        "counters": counters,
    }
