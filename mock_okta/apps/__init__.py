"""The Apps domain: apps, app users, groups assigned to apps and app links (Okta's Application,
ApplicationUsers, ApplicationGroups and UserResources APIs), free of Flask. One object made of
parts, like the Users store."""

from __future__ import annotations

from mock_okta.apps.applications import ApplicationOperations, AppListQuery, AppPage
from mock_okta.apps.assignments import AppUserOperations, AppUserPage, AppUserQuery
from mock_okta.apps.group_assignments import AppGroupOperations, AppGroupPage, AppGroupQuery


class Apps(ApplicationOperations, AppUserOperations, AppGroupOperations):
    """All apps' state. Methods return domain objects and raise OktaError."""


__all__ = [
    "AppGroupPage",
    "AppGroupQuery",
    "AppListQuery",
    "AppPage",
    "AppUserPage",
    "AppUserQuery",
    "Apps",
]
