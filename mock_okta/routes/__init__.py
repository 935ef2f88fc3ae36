"""The blueprints: Okta's Users, Authn, Inline Hooks and Principal Rate Limits APIs, and the
control plane."""

from __future__ import annotations

from flask import Flask

from mock_okta.routes import authn, control, inline_hooks, principal_rate_limits, users


def register(app: Flask) -> None:
    app.register_blueprint(users.bp)
    app.register_blueprint(authn.bp)
    app.register_blueprint(inline_hooks.bp)
    app.register_blueprint(principal_rate_limits.bp)
    app.register_blueprint(control.bp)
