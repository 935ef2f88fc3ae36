"""/_mock/ui: the dashboard page (public: it holds no data, only a sign-in form for the token)
and /_mock/overview (the token, like the rest of the control plane)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from mock_okta.routes._http import current_org
from mock_okta.ui import overview

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
    """GET /_mock/overview — users by status, groups, apps, and users created over time."""
    return overview(current_org().db)
