"""/_mock/ui: the dashboard page (public: it holds no data, only a sign-in form for the token),
/_mock/overview and /_mock/plan (the token, like the rest of the control plane)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from mock_okta.errors import validation_error
from mock_okta.routes._http import current_org, json_object
from mock_okta.ui import overview
from mock_okta.ui.plan import PlanError, clear_plan, load_plan, parse_plan, save_plan

bp = Blueprint(
    "ui",
    __name__,
    template_folder="../ui/templates",
    static_folder="../ui/static",
    static_url_path="/_mock/ui/static",
)


@bp.get("/_mock/ui")
def dashboard() -> ResponseReturnValue:
    """GET /_mock/ui — the dashboard; its script reads the JSON below with the token given."""
    return render_template("dashboard.html")


@bp.get("/_mock/overview")
def get_overview() -> ResponseReturnValue:
    """GET /_mock/overview — users by status, groups, apps, users created against the plan."""
    org = current_org()
    return overview(org.db, int(org.clock.now() * 1000), org.runtime().time_scale)


@bp.get("/_mock/plan")
def get_plan() -> ResponseReturnValue:
    """GET /_mock/plan — the plan the dashboard draws, or null."""
    with current_org().db.read() as conn:
        plan = load_plan(conn)
    return {"plan": plan.to_json() if plan else None}


@bp.put("/_mock/plan")
def put_plan() -> ResponseReturnValue:
    """PUT /_mock/plan — set the plan: `users` and a `series`, `durationSeconds` or `perMinute`
    (else one token's share of the org's users.collection limit)."""
    org = current_org()
    limit = org.limit("users.collection")
    per_token = limit * org.runtime().token_share / 100 if limit else None
    try:
        plan = parse_plan(json_object(), per_token)
    except PlanError as exc:
        raise validation_error("plan", str(exc)) from None
    save_plan(org.db, plan)
    return {"plan": plan.to_json()}


@bp.delete("/_mock/plan")
def delete_plan() -> ResponseReturnValue:
    """DELETE /_mock/plan — no plan."""
    with current_org().db.write() as conn:
        clear_plan(conn)
    return "", 204
