"""The directory: users, their types and schemas, and groups; each operation one transaction.

Operation names follow Okta's (createUser, getUser, listUsers, updateUser, replaceUser,
deleteUser, activateUser, createUserType, updateUserProfile, addGroup, assignUserToGroup, ...).
State transitions and their errors are from reference.md §1. The store is one object made of
five parts: users, lifecycle, passwords, user types (with schemas), groups.
"""

from __future__ import annotations

from mock_okta.store.base import DUPLICATE_LOGIN, MAX_PAGE, IssuedToken, ListQuery, Page
from mock_okta.store.groups import GroupPage, GroupQuery
from mock_okta.store.lifecycle import LifecycleOperations
from mock_okta.store.passwords import PasswordOperations
from mock_okta.store.types import UserTypeOperations
from mock_okta.store.users import UserOperations


class Store(UserOperations, LifecycleOperations, PasswordOperations, UserTypeOperations):
    """The org's directory. Methods return domain objects and raise OktaError."""


__all__ = [
    "DUPLICATE_LOGIN",
    "MAX_PAGE",
    "GroupPage",
    "GroupQuery",
    "IssuedToken",
    "ListQuery",
    "Page",
    "Store",
]
