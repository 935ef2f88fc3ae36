"""The blueprints: Okta's Users, Groups, Schemas, User Types, Authn, Inline Hooks, Apps and
Principal Rate Limits APIs, the authorization servers (OAuth 2.0 / OIDC), and the control
plane."""

from __future__ import annotations

from flask import Flask

from mock_okta.routes import (
    apps,
    authn,
    control,
    groups,
    inline_hooks,
    logs,
    oauth,
    principal_rate_limits,
    schemas,
    ui,
    user_types,
    users,
)


def register(app: Flask) -> None:
    app.register_blueprint(users.bp)
    app.register_blueprint(groups.bp)
    app.register_blueprint(schemas.bp)
    app.register_blueprint(user_types.bp)
    app.register_blueprint(authn.bp)
    app.register_blueprint(inline_hooks.bp)
    app.register_blueprint(apps.bp)
    app.register_blueprint(principal_rate_limits.bp)
    app.register_blueprint(logs.bp)
    app.register_blueprint(ui.bp)
    app.register_blueprint(oauth.bp)
    app.register_blueprint(control.bp)
