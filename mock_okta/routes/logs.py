"""/api/v1/logs: Okta's System Log API (SPEC tag SystemLog, listLogEvents)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from mock_okta import serialize
from mock_okta.routes._http import base_url, current_org
from mock_okta.syslog import LogQuery, list_log_events

bp = Blueprint("logs", __name__, url_prefix="/api/v1/logs")


@bp.get("")
def list_log_events_route() -> ResponseReturnValue:
    """GET /api/v1/logs — List all System Log events (since, until, after, filter, q, limit,
    sortOrder), with Link paging; a poll's next link keeps returning newer events."""
    args = request.args
    org = current_org()
    query = LogQuery(
        since=args.get("since"),
        until=args.get("until"),
        after=args.get("after"),
        filter=args.get("filter"),
        q=args.get("q"),
        limit=args.get("limit"),
        sort_order=args.get("sortOrder"),
    )
    page = list_log_events(org.db, query, org.store.now_ms())
    response = jsonify(page.events)
    for link in serialize.list_links(
        f"{base_url()}/api/v1/logs", args, page.limit, page.next_after
    ):
        response.headers.add("Link", link)
    return response
