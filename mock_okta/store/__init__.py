"""The Users domain: every user operation Okta documents, each one SQLite transaction.

Operation names follow Okta's (createUser, getUser, listUsers, updateUser, replaceUser,
deleteUser, activateUser, ...). State transitions and their errors are from reference.md §1.
The store is one object made of three parts: users, lifecycle, passwords.
"""

from __future__ import annotations

from mock_okta.store.base import DUPLICATE_LOGIN, MAX_PAGE, IssuedToken, ListQuery, Page
from mock_okta.store.lifecycle import LifecycleOperations
from mock_okta.store.passwords import PasswordOperations
from mock_okta.store.users import UserOperations


class Store(UserOperations, LifecycleOperations, PasswordOperations):
    """All users' state. Methods return domain objects and raise OktaError."""


__all__ = ["DUPLICATE_LOGIN", "MAX_PAGE", "IssuedToken", "ListQuery", "Page", "Store"]
