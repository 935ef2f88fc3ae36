"""Dataset files: legacy user lines (JSONL or CSV), oracle lines, checksums, and reading them back.

users.jsonl, one line per legacy user:
    {"id": 17, "profile": {"login", "email", "firstName", "lastName", "mobilePhone"},
     "updatedAt": "2023-04-05T06:07:08Z", "password": {…legacy format, see legacy.py…},
     "groups": ["All customers", …],                  # with --groups N
     "fields": {"customerNumber": "C00000017", …},    # with --custom-fields (legacy_fields.py)
     "apps": ["Customer portal", …],                  # direct app accounts, with --apps
     "defect": {"kind", "problem", "okta"}}          # only on deliberately bad records
oracle.jsonl, one line per login (never read by the tool under test):
    {"login", "password": "<plaintext>", "canLogIn": bool, "via": "hash"|"hook"|null,
     "defect": kind, "change": "password"|"profile"|"new"|"removed"}   # last two when set
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import io
import json
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

SCHEMA_VERSION: Final = 1
CSV_COLUMNS: Final = (
    "id",
    "login",
    "email",
    "firstName",
    "lastName",
    "mobilePhone",
    "updatedAt",
    "scheme",
    "hash",
    "hex",
    "salt",
    "saltPosition",
    "defect",
)
TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True, slots=True)
class Defect:
    kind: str
    problem: str
    okta: str
    can_log_in: bool
    via: str | None
    custom: bool = False  # a custom field's value: only in datasets with --custom-fields


DEFECTS: Final[Mapping[str, Defect]] = {
    d.kind: d
    for d in (
        Defect(
            "unsupported-scheme",
            "the password is a scrypt hash, which Okta cannot import",
            "no Okta hash algorithm fits: create the user with the password import inline hook"
            ' (credentials.password.hook {"type": "default"}); the user logs in once the hook'
            " verifies the password against the legacy store",
            True,
            "hook",
        ),
        Defect(
            "login-collision",
            "the login differs from another user's login only in letter case",
            "Okta logins are unique regardless of case: creating this user fails with 400"
            " E0000001 (login: An object with this field already exists)",
            False,
            None,
        ),
        Defect(
            "login-too-long",
            "the login is longer than 100 characters",
            "Okta's login is 5 to 100 characters: creating this user fails with 400 E0000001",
            False,
            None,
        ),
        Defect(
            "missing-email",
            "the user has no email address",
            "email is required by Okta's default profile: creating this user fails with 400"
            " E0000001",
            False,
            None,
        ),
        Defect(
            "custom-enum",
            "the loyalty tier is 'diamond', which is not one of the tiers the schema lists",
            "a value outside the property's enum: creating this user fails with 400 E0000001"
            " (tier); skip the record or report it, never drop the value silently",
            False,
            None,
            custom=True,
        ),
        Defect(
            "custom-type",
            "the loyalty points are the text '12,500', not a number",
            "a string for an integer property: creating this user fails with 400 E0000001"
            " (loyaltyPoints); skip the record or report it, never drop the value silently",
            False,
            None,
            custom=True,
        ),
        Defect(
            "custom-duplicate",
            "the customer number is an earlier user's, and it must be unique",
            "a unique property's value another user holds: creating this user fails with 400"
            " E0000001 (customerNumber: An object with this field already exists)",
            False,
            None,
            custom=True,
        ),
    )
}


@dataclass(slots=True)
class LegacyUser:
    id: int
    login: str
    email: str | None
    first_name: str
    last_name: str
    mobile_phone: str | None
    updated: int  # epoch seconds
    password: dict[str, object]
    plaintext: str
    defect: str | None = None
    change: str | None = None
    groups: list[str] | None = None  # legacy group names, with --groups
    fields: dict[str, object] | None = None  # custom legacy fields, with --custom-fields
    apps: list[str] | None = None  # direct app accounts by app label, with --apps

    @property
    def scheme(self) -> str:
        return str(self.password.get("scheme"))

    def profile(self) -> dict[str, object]:
        profile: dict[str, object] = {"login": self.login}
        if self.email is not None:
            profile["email"] = self.email
        profile["firstName"] = self.first_name
        profile["lastName"] = self.last_name
        profile["mobilePhone"] = self.mobile_phone
        return profile

    def to_json(self) -> dict[str, object]:
        line: dict[str, object] = {
            "id": self.id,
            "profile": self.profile(),
            "updatedAt": format_time(self.updated),
            "password": self.password,
        }
        if self.groups is not None:
            line["groups"] = self.groups
        if self.fields is not None:
            line["fields"] = self.fields
        if self.apps is not None:
            line["apps"] = self.apps
        if self.defect is not None:
            d = DEFECTS[self.defect]
            line["defect"] = {"kind": d.kind, "problem": d.problem, "okta": d.okta}
        return line

    def oracle(self, *, removed: bool = False) -> dict[str, object]:
        defect = DEFECTS[self.defect] if self.defect else None
        can = not removed and (defect.can_log_in if defect else True)
        line: dict[str, object] = {
            "login": self.login,
            "password": self.plaintext,
            "canLogIn": can,
            "via": (defect.via if defect else "hash") if can else None,
        }
        if self.defect is not None:
            line["defect"] = self.defect
        if self.change is not None:
            line["change"] = self.change
        return line


def format_time(epoch: int) -> str:
    return time.strftime(TIME_FORMAT, time.gmtime(epoch))


def parse_time(text: str) -> int:
    return calendar.timegm(time.strptime(text, TIME_FORMAT))


_dumps: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_str: Final = json.encoder.encode_basestring  # C; keeps non-ASCII as ensure_ascii=False does


def _opt_str(value: object) -> str:
    return "null" if value is None else _str(str(value))


def user_line(user: LegacyUser) -> str:
    """`_dumps(user.to_json())`, formatted by hand for speed (the hot path of `dataset`)."""
    p = user.password
    if user.defect is not None or user.email is None:
        return _dumps(user.to_json())
    if "hex" in p:
        password = (
            f'{{"scheme":{_str(str(p["scheme"]))},"hex":{_str(str(p["hex"]))},'
            f'"salt":{_opt_str(p["salt"])},"saltPosition":{_opt_str(p["saltPosition"])}}}'
        )
    elif len(p) == 2 and "hash" in p:
        password = f'{{"scheme":{_str(str(p["scheme"]))},"hash":{_str(str(p["hash"]))}}}'
    else:
        password = _dumps(p)
    extra = "" if user.groups is None else f',"groups":{_dumps(user.groups)}'
    if user.fields is not None:
        extra += f',"fields":{_dumps(user.fields)}'
    if user.apps is not None:
        extra += f',"apps":{_dumps(user.apps)}'
    return (
        f'{{"id":{user.id},"profile":{{"login":{_str(user.login)},"email":{_str(user.email)},'
        f'"firstName":{_str(user.first_name)},"lastName":{_str(user.last_name)},'
        f'"mobilePhone":{_opt_str(user.mobile_phone)}}},'
        f'"updatedAt":"{format_time(user.updated)}","password":{password}{extra}}}'
    )


def oracle_line(user: LegacyUser) -> str:
    if user.defect is not None or user.change is not None:
        return _dumps(user.oracle())
    return (
        f'{{"login":{_str(user.login)},"password":{_str(user.plaintext)},'
        '"canLogIn":true,"via":"hash"}'
    )


GROUP_SEPARATOR: Final = "|"  # between group names in users.csv's `groups` column


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    return ("true" if value else "false") if isinstance(value, bool) else value


def csv_row(user: LegacyUser, fields: Sequence[str] = (), groups: bool = False) -> list[object]:
    p = user.password
    extra: list[object] = [GROUP_SEPARATOR.join(user.groups or [])] if groups else []
    extra += [_csv_value((user.fields or {}).get(name)) for name in fields]
    return [
        user.id,
        user.login,
        user.email or "",
        user.first_name,
        user.last_name,
        user.mobile_phone or "",
        format_time(user.updated),
        p.get("scheme") or "",
        p.get("hash") or "",
        p.get("hex") or "",
        p.get("salt") or "",
        p.get("saltPosition") or "",
        user.defect or "",
        *extra,
    ]


class Sink:
    """A file written in blocks with its SHA-256 and line count kept as it goes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sha256 = hashlib.sha256()
        self.lines = 0
        self._fh: IO[bytes] = path.open("wb")

    def write(self, text: str, lines: int) -> None:
        data = text.encode("utf-8")
        self.sha256.update(data)
        self._fh.write(data)
        self.lines += lines

    def close(self) -> dict[str, object]:
        self._fh.close()
        return {"sha256": self.sha256.hexdigest(), "lines": self.lines}


class DatasetWriter:
    """users.jsonl (or users.csv) and oracle.jsonl, written in order."""

    def __init__(
        self, out: Path, fmt: str, *, fields: Sequence[str] = (), groups: bool = False
    ) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.fmt = fmt
        self.fields = tuple(fields)
        self.groups = groups
        self.users = Sink(out / users_file(fmt))
        self.oracle = Sink(out / "oracle.jsonl")
        if fmt == "csv":
            header: list[object] = [*CSV_COLUMNS, *(["groups"] if groups else []), *self.fields]
            self.users.write(_csv_text([header]), 0)

    def write(self, users: list[LegacyUser]) -> None:
        if self.fmt == "csv":
            rows = [csv_row(u, self.fields, self.groups) for u in users]
            self.users.write(_csv_text(rows), len(users))
        else:
            self.users.write("".join(user_line(u) + "\n" for u in users), len(users))
        self.oracle.write("".join(oracle_line(u) + "\n" for u in users), len(users))

    def write_oracle(self, lines: list[dict[str, object]]) -> None:
        self.oracle.write("".join(_dumps(line) + "\n" for line in lines), len(lines))

    def close(self) -> dict[str, object]:
        return {self.users.path.name: self.users.close(), "oracle.jsonl": self.oracle.close()}


def _csv_text(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def users_file(fmt: str) -> str:
    return "users.csv" if fmt == "csv" else "users.jsonl"


def write_manifest(out: Path, manifest: Mapping[str, object]) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    (out / "manifest.json").write_text(text, encoding="utf-8")


# ----- reading a dataset back


def read_manifest(directory: Path) -> dict[str, object]:
    data = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{directory / 'manifest.json'} is not a JSON object")
    return data


def _opt(text: str) -> str | None:
    return text or None


def user_from_json(line: Mapping[str, object], plaintext: str = "") -> LegacyUser:
    profile = line.get("profile")
    password = line.get("password")
    if not isinstance(profile, Mapping) or not isinstance(password, dict):
        raise ValueError("a users.jsonl line needs a profile object and a password object")
    defect = line.get("defect")
    kind = defect.get("kind") if isinstance(defect, Mapping) else None
    email = profile.get("email")
    phone = profile.get("mobilePhone")
    groups, fields, apps = line.get("groups"), line.get("fields"), line.get("apps")
    return LegacyUser(
        id=int(str(line["id"])),
        login=str(profile["login"]),
        email=str(email) if email is not None else None,
        first_name=str(profile["firstName"]),
        last_name=str(profile["lastName"]),
        mobile_phone=str(phone) if phone is not None else None,
        updated=parse_time(str(line["updatedAt"])),
        password=password,
        plaintext=plaintext,
        defect=str(kind) if kind else None,
        groups=[str(g) for g in groups] if isinstance(groups, list) else None,
        fields=dict(fields) if isinstance(fields, Mapping) else None,
        apps=[str(a) for a in apps] if isinstance(apps, list) else None,
    )


def _typed(text: str, kind: object) -> object:
    """A CSV cell as the declared field type; a cell that is not one stays text (a defect)."""
    if text == "":
        return None
    if kind == "integer" and text.lstrip("-").isdigit():
        return int(text)
    if kind == "number":
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            return text
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    return text


def user_from_csv(
    row: Mapping[str, str],
    plaintext: str = "",
    fields: Mapping[str, Mapping[str, object]] | None = None,
) -> LegacyUser:
    scheme = row["scheme"]
    password: dict[str, object]
    if row["hex"]:
        password = {
            "scheme": scheme,
            "hex": row["hex"],
            "salt": _opt(row["salt"]),
            "saltPosition": _opt(row["saltPosition"]),
        }
    else:
        password = {"scheme": scheme, "hash": row["hash"]}
    return LegacyUser(
        id=int(row["id"]),
        login=row["login"],
        email=_opt(row["email"]),
        first_name=row["firstName"],
        last_name=row["lastName"],
        mobile_phone=_opt(row["mobilePhone"]),
        updated=parse_time(row["updatedAt"]),
        password=password,
        plaintext=plaintext,
        defect=_opt(row["defect"]),
        groups=[g for g in row["groups"].split(GROUP_SEPARATOR) if g] if "groups" in row else None,
        fields=(
            {
                k: v
                for k, f in fields.items()
                if (v := _typed(row.get(k, ""), f.get("type"))) is not None
            }
            if fields
            else None
        ),
    )


def manifest_fields(directory: Path) -> dict[str, dict[str, object]]:
    """The custom fields a dataset declares (manifest `fields`), by name; none without one."""
    try:
        fields = read_manifest(directory).get("fields")
    except (OSError, ValueError):
        return {}
    return {str(k): dict(v) for k, v in fields.items()} if isinstance(fields, dict) else {}


def read_oracle(path: Path) -> dict[str, dict[str, object]]:
    """Oracle lines by login."""
    oracle: dict[str, dict[str, object]] = {}
    with path.open(encoding="utf-8") as fh:
        for text in fh:
            if text.strip():
                line = json.loads(text)
                oracle[str(line["login"])] = line
    return oracle


def read_users(directory: Path) -> Iterator[LegacyUser]:
    """The legacy users of a dataset directory, with plaintexts from its oracle."""
    oracle = read_oracle(directory / "oracle.jsonl")

    def plaintext(login: str) -> str:
        return str(oracle.get(login, {}).get("password", ""))

    csv_path = directory / "users.csv"
    if csv_path.exists():
        fields = manifest_fields(directory)
        with csv_path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                yield user_from_csv(row, plaintext(row["login"]), fields)
        return
    with (directory / "users.jsonl").open(encoding="utf-8") as fh:
        for text in fh:
            if text.strip():
                line = json.loads(text)
                user = user_from_json(line)
                user.plaintext = plaintext(user.login)
                yield user
