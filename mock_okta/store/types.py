"""User types and their profile schemas (SPEC tags UserType and Schema), each one transaction.

A schema change bumps the org's generation, so every worker drops its compiled schemas before
its next request (validation.Schemas).
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from mock_okta.errors import E_USER_TYPE_NOT_DELETABLE, OktaError, not_found, validation_error
from mock_okta.schema import UserSchema, update_schema
from mock_okta.store.base import DUPLICATE_LOGIN, StoreBase
from mock_okta.user_types import MAX_TYPES, UserType, name_key, parse_new_type, parse_type_change
from mock_okta.validation import unique_key

DEFAULT_REF = "default"


class UserTypeOperations(StoreBase):
    """List, create, read, change and delete user types; read and change their schemas."""

    def _type_rows(self, conn: sqlite3.Connection) -> list[tuple[UserType, UserSchema]]:
        rows = conn.execute("SELECT id, type, schema FROM user_types").fetchall()
        found = [(UserType.loads(str(i), str(t)), UserSchema.loads(str(s))) for i, t, s in rows]
        return sorted(found, key=lambda pair: (not pair[0].default, pair[0].created, pair[0].id))

    def _load_type(self, conn: sqlite3.Connection, ref: str) -> tuple[UserType, UserSchema]:
        type_id = self.default_type_id if ref == DEFAULT_REF else ref
        row = conn.execute(
            "SELECT id, type, schema FROM user_types WHERE id = ?", (type_id,)
        ).fetchone()
        if row is None:
            # PARITY: the resource name in Okta's 404 for a user type is unconfirmed.
            raise not_found(ref, "UserType")
        return UserType.loads(str(row[0]), str(row[1])), UserSchema.loads(str(row[2]))

    def _save_type(
        self, conn: sqlite3.Connection, user_type: UserType, schema: UserSchema | None = None
    ) -> None:
        if schema is None:
            conn.execute(
                "UPDATE user_types SET type = ? WHERE id = ?", (user_type.dumps(), user_type.id)
            )
        else:
            conn.execute(
                "UPDATE user_types SET type = ?, schema = ? WHERE id = ?",
                (user_type.dumps(), schema.dumps(), user_type.id),
            )
        self.db.bump_generation(conn)

    def list_user_types(self) -> list[UserType]:
        """GET /api/v1/meta/types/user: the default type first."""
        with self.db.read() as conn:
            return [t for t, _ in self._type_rows(conn)]

    def get_user_type(self, ref: str) -> UserType:
        """GET /api/v1/meta/types/user/{typeId} (`default` names the default type)."""
        with self.db.read() as conn:
            return self._load_type(conn, ref)[0]

    def create_user_type(self, raw: object) -> UserType:
        """POST /api/v1/meta/types/user: its schema starts as the default type's is now."""
        name, display, description = parse_new_type(raw)
        now = self.now_ms()
        with self.db.write() as conn:
            count = int(conn.execute("SELECT COUNT(*) FROM user_types").fetchone()[0])
            if count >= MAX_TYPES:
                # PARITY: Okta's error for an eleventh user type is unconfirmed.
                raise validation_error("userType", f"An org can have at most {MAX_TYPES} types")
            default = self._load_type(conn, DEFAULT_REF)[1]
            user_type = UserType(
                self.ids.user_type_id(), name, display, description, False, now, now,
                self.admin_id, self.admin_id,
            )  # fmt: skip
            schema = UserSchema(dict(default.custom), dict(default.base), now, now)
            try:
                conn.execute(
                    "INSERT INTO user_types (id, name_key, type, schema) VALUES (?, ?, ?, ?)",
                    (user_type.id, name_key(name), user_type.dumps(), schema.dumps()),
                )
            except sqlite3.IntegrityError:
                raise validation_error("name", DUPLICATE_LOGIN) from None
            self.db.bump_generation(conn)
        self.schemas.invalidate()
        return user_type

    def _change_type(self, ref: str, raw: object, *, full: bool) -> UserType:
        with self.db.write() as conn:
            current = self._load_type(conn, ref)[0]
            display, description = parse_type_change(raw, current, full=full)
            changed = replace(
                current,
                display_name=display,
                description=description,
                last_updated=self.now_ms(),
                last_updated_by=self.admin_id,
            )
            self._save_type(conn, changed)
        return changed

    def update_user_type(self, ref: str, raw: object) -> UserType:
        """POST /api/v1/meta/types/user/{typeId}: displayName and description, as given."""
        return self._change_type(ref, raw, full=False)

    def replace_user_type(self, ref: str, raw: object) -> UserType:
        """PUT /api/v1/meta/types/user/{typeId}: name (unchanged), displayName, description."""
        return self._change_type(ref, raw, full=True)

    def delete_user_type(self, ref: str) -> None:
        """DELETE …/types/user/{typeId}: never the default type, nor one users hold (SPEC)."""
        with self.db.write() as conn:
            user_type = self._load_type(conn, ref)[0]
            held = conn.execute(
                "SELECT 1 FROM users WHERE type_id = ? LIMIT 1", (user_type.id,)
            ).fetchone()
            if user_type.default or held is not None:
                raise OktaError(E_USER_TYPE_NOT_DELETABLE)
            conn.execute("DELETE FROM user_types WHERE id = ?", (user_type.id,))
            self.db.bump_generation(conn)
        self.schemas.invalidate()

    # ----- schemas

    def _schema_type(self, ref: str) -> str:
        if ref == DEFAULT_REF:
            return DEFAULT_REF
        if not ref.startswith("osc"):
            raise not_found(ref, "UserSchema")
        return "oty" + ref[3:]

    def get_user_schema(self, ref: str) -> tuple[UserType, UserSchema]:
        """GET /api/v1/meta/schemas/user/{schemaId} (`default`: the default type's)."""
        with self.db.read() as conn:
            try:
                return self._load_type(conn, self._schema_type(ref))
            except OktaError:
                # PARITY: the resource name in Okta's 404 for a schema is unconfirmed.
                raise not_found(ref, "UserSchema") from None

    def update_user_profile(self, ref: str, body: object) -> tuple[UserType, UserSchema]:
        """POST /api/v1/meta/schemas/user/{schemaId}: add, change or (with null) remove
        custom properties; base properties change only as Okta allows (schema.py)."""
        with self.db.write() as conn:
            try:
                user_type, schema = self._load_type(conn, self._schema_type(ref))
            except OktaError:
                raise not_found(ref, "UserSchema") from None
            change = update_schema(schema, body, self.now_ms())
            for name in change.removed:
                # PARITY: Okta's help says removing a custom attribute deletes its values
                # from every profile; the mock does it at once, in this transaction.
                conn.execute(
                    "UPDATE users SET profile = json_remove(profile, ?), version = version + 1"
                    " WHERE type_id = ? AND json_type(profile, ?) IS NOT NULL",
                    (f"$.{name}", user_type.id, f"$.{name}"),
                )
            for name in (*change.removed, *change.no_longer_unique):
                conn.execute(
                    "DELETE FROM unique_values WHERE name = ? AND user_id IN"
                    " (SELECT id FROM users WHERE type_id = ?)",
                    (name, user_type.id),
                )
            for name in change.now_unique:
                self._index_unique(conn, user_type.id, name)
            self._save_type(conn, user_type, change.schema)
        self.schemas.invalidate()
        return user_type, change.schema

    def _index_unique(self, conn: sqlite3.Connection, type_id: str, name: str) -> None:
        """A property just made unique: record every value users hold, refusing duplicates."""
        rows = conn.execute(
            "SELECT id, json_extract(profile, ?) FROM users WHERE type_id = ?"
            " AND json_type(profile, ?) IS NOT NULL",
            (f"$.{name}", type_id, f"$.{name}"),
        ).fetchall()
        for user_id, value in rows:  # unique properties are strings or numbers
            if value in (None, ""):
                continue
            try:
                self._claim_unique(conn, str(user_id), [(name, unique_key(value))])
            except OktaError:
                # PARITY: Okta's answer when existing values are not unique is unconfirmed.
                raise validation_error(
                    name, "Users already hold the same value: make the values unique first"
                ) from None
