"""The Apps domain: apps, app users and app links (Okta's Application, ApplicationUsers and
UserResources APIs), free of Flask. One object made of two parts, like the Users store."""

from __future__ import annotations

from mock_okta.apps.applications import ApplicationOperations, AppListQuery, AppPage
from mock_okta.apps.assignments import AppUserOperations, AppUserPage, AppUserQuery


class Apps(ApplicationOperations, AppUserOperations):
    """All apps' state. Methods return domain objects and raise OktaError."""


__all__ = ["AppListQuery", "AppPage", "AppUserPage", "AppUserQuery", "Apps"]
