"""Domain objects to Okta's JSON: the only module that spells Okta's wire names for output."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlencode

from mock_okta.apps.models import App, AppGroup, AppLink, AppStatus, AppUser, AppUserStatus
from mock_okta.groups import OBJECT_CLASS, Group, GroupType
from mock_okta.hooks import PASSWORD_IMPORT, HookReport, HookStatus, InlineHook, RequestContext
from mock_okta.models import User, UserStatus
from mock_okta.principal_rate_limits import PrincipalRateLimit
from mock_okta.schema import BASE_PROPERTIES, UserSchema
from mock_okta.user_types import UserType

JsonObject = dict[str, object]


def iso(ms: int | None) -> str | None:
    """Okta's timestamp format: `2013-07-02T21:36:25.344Z`."""
    if ms is None:
        return None
    t = time.gmtime(ms // 1000)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (  # noqa: UP031 - a hot path
        t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ms % 1000
    )  # fmt: skip


# Lifecycle links by status (OLD-USERS "Links object"); each is (rel, path, method).
_OPS: Final = {
    "activate": ("lifecycle/activate", "POST"),
    "reactivate": ("lifecycle/reactivate", "POST"),
    "deactivate": ("lifecycle/deactivate", "POST"),
    "suspend": ("lifecycle/suspend", "POST"),
    "unsuspend": ("lifecycle/unsuspend", "POST"),
    "unlock": ("lifecycle/unlock", "POST"),
    "resetPassword": ("lifecycle/reset_password", "POST"),
    "expirePassword": ("lifecycle/expire_password", "POST"),
    "resetFactors": ("lifecycle/reset_factors", "POST"),
    "forgotPassword": ("credentials/forgot_password", "POST"),
    "changePassword": ("credentials/change_password", "POST"),
    "changeRecoveryQuestion": ("credentials/change_recovery_question", "POST"),
}
_SIGNED_IN: Final = (
    "resetPassword",
    "resetFactors",
    "expirePassword",
    "forgotPassword",
    "changeRecoveryQuestion",
    "deactivate",
    "changePassword",
)
# Checked against users recorded from real orgs (okta-sdk-python's cassettes, 2020-2025): a STAGED
# user offers activate and resetFactors, never deactivate; SUSPENDED and PASSWORD_EXPIRED as below.
LINKS_BY_STATUS: Final[dict[UserStatus, tuple[str, ...]]] = {
    UserStatus.STAGED: ("activate", "resetFactors"),
    UserStatus.PROVISIONED: ("reactivate", "resetPassword", "deactivate"),
    UserStatus.ACTIVE: ("suspend", *_SIGNED_IN),
    UserStatus.PASSWORD_EXPIRED: ("suspend", *_SIGNED_IN),
    UserStatus.RECOVERY: ("reactivate", "resetPassword", "resetFactors", "deactivate"),
    UserStatus.LOCKED_OUT: ("unlock", *_SIGNED_IN),
    UserStatus.SUSPENDED: ("unsuspend", "resetFactors", "deactivate"),
    UserStatus.DEPROVISIONED: ("activate",),
}


def _user_links(user: User, base: str, *, full: bool) -> JsonObject:
    return _links(user.id, user.status, user.password is not None, user.type_id, base, full=full)


def _links(
    uid: str, status: UserStatus, password: bool, type_id: str, base: str, *, full: bool
) -> JsonObject:
    href = f"{base}/api/v1/users/{uid}"
    links: JsonObject = {}
    if full:
        for rel in LINKS_BY_STATUS[status]:
            if rel in ("forgotPassword", "changePassword") and not password:
                continue
            path, method = _OPS[rel]
            links[rel] = {"href": f"{href}/{path}", "method": method}
        links["schema"] = {"href": f"{base}/api/v1/meta/schemas/user/osc{type_id[3:]}"}
        links["type"] = {"href": f"{base}/api/v1/meta/types/user/{type_id}"}
    links["self"] = {"href": href}
    return links


def credentials(user: User) -> JsonObject:
    """`credentials` as Okta returns it: the password is `{}` when one exists, never its value."""
    out: JsonObject = {}
    if user.password is not None:
        out["password"] = {}
    if user.recovery_question is not None:
        out["recovery_question"] = {"question": user.recovery_question.question}
    out["provider"] = {"type": user.provider.value, "name": user.provider.value}
    return out


# Okta sends these two in every user object, `null` when unset (every recorded user, 2020-2026),
# in this order before the rest of the profile.
_ALWAYS: Final = ("mobilePhone", "secondEmail")
_PROFILE_FIRST: Final = ("firstName", "lastName", *_ALWAYS, "login", "email")


def profile(values: Mapping[str, object]) -> JsonObject:
    """`profile` as Okta sends it: `mobilePhone` and `secondEmail` always, null when unset."""
    out: JsonObject = {
        name: values.get(name) for name in _PROFILE_FIRST if name in values or name in _ALWAYS
    }
    for name, value in values.items():
        out.setdefault(name, value)
    return out


def user(u: User, base: str, *, full: bool = True) -> JsonObject:
    """A user; `full=False` for collection items, which carry only the `self` link."""
    return {
        "id": u.id,
        "status": u.status.value,
        "created": iso(u.created),
        "activated": iso(u.activated),
        "statusChanged": iso(u.status_changed),
        "lastLogin": iso(u.last_login),
        "lastUpdated": iso(u.last_updated),
        "passwordChanged": iso(u.password_changed),
        "type": {"id": u.type_id},
        "profile": profile(u.profile),
        "credentials": credentials(u),
        "_links": _user_links(u, base, full=full),
    }


# The app's JSON (Flask's provider as create_app sets it: compact, ASCII only, keys in order).
_ENCODE: Final = json.JSONEncoder(separators=(",", ":")).encode
_ID_MARK: Final = "\x00"  # stands for the user's id in a links template; "\\u0000" encoded
_LINK_TEMPLATES: dict[tuple[str, UserStatus, bool, str, bool], list[str]] = {}
MAX_LINK_TEMPLATES: Final = 256  # bases come from Host headers


def user_json(u: User, base: str, *, full: bool = True) -> str:
    """`user(u, base)` as that JSON text, built from parts (a hot path: issue #15)."""
    if "\\" in base or _ID_MARK in base:
        return _ENCODE(user(u, base, full=full))  # the marker could not be told from the base
    key = (base, u.status, u.password is not None, u.type_id, full)
    parts = _LINK_TEMPLATES.get(key)
    if parts is None:
        if len(_LINK_TEMPLATES) >= MAX_LINK_TEMPLATES:
            _LINK_TEMPLATES.clear()
        links = _links(_ID_MARK, u.status, u.password is not None, u.type_id, base, full=full)
        parts = _ENCODE(links).split("\\u0000")
        _LINK_TEMPLATES[key] = parts
    uid = _ENCODE(u.id)
    stamps: dict[int | None, str] = {None: "null"}
    for ms in (u.created, u.activated, u.status_changed, u.last_login, u.last_updated):
        if ms not in stamps:
            stamps[ms] = f'"{iso(ms)}"'
    changed = u.password_changed
    return "".join(
        (
            '{"id":',
            uid,
            ',"status":',
            _ENCODE(u.status.value),
            ',"created":',
            stamps[u.created],
            ',"activated":',
            stamps[u.activated],
            ',"statusChanged":',
            stamps[u.status_changed],
            ',"lastLogin":',
            stamps[u.last_login],
            ',"lastUpdated":',
            stamps[u.last_updated],
            ',"passwordChanged":',
            stamps[changed] if changed in stamps else f'"{iso(changed)}"',
            ',"type":{"id":',
            _ENCODE(u.type_id),
            '},"profile":',
            _ENCODE(profile(u.profile)),
            ',"credentials":',
            _ENCODE(credentials(u)),
            ',"_links":',
            uid[1:-1].join(parts),
            "}",
        )
    )


def authn_user(u: User) -> JsonObject:
    """`_embedded.user` of an authentication transaction."""
    return {
        "id": u.id,
        "passwordChanged": iso(u.password_changed),
        "profile": {
            "login": u.profile.get("login"),
            "firstName": u.profile.get("firstName"),
            "lastName": u.profile.get("lastName"),
            "locale": u.profile.get("locale") or "en_US",
            "timeZone": u.profile.get("timezone") or "America/Los_Angeles",
        },
    }


def list_links(url: str, args: Mapping[str, str], limit: int, next_after: str | None) -> list[str]:
    """`Link` headers of a page: `rel="self"` always, `rel="next"` while more remain (CORE)."""
    params = {k: v for k, v in args.items() if k not in ("after", "limit")}
    params["limit"] = str(limit)
    here = ({"after": args["after"]} if args.get("after") else {}) | params
    links = [f'<{url}?{urlencode(here)}>; rel="self"']
    if next_after is not None:
        links.append(f'<{url}?{urlencode({"after": next_after, **params})}>; rel="next"')
    return links


def _authn_link(href: str, **extra: str) -> JsonObject:
    return {**extra, "href": href, "hints": {"allow": ["POST"]}}


def authn_transaction(
    status: str,
    user: User,
    expires_at: str | None,
    *,
    base: str,
    session_token: str | None = None,
    state_token: str | None = None,
) -> JsonObject:
    """An authentication transaction (AUTHN): SUCCESS, or PASSWORD_EXPIRED with its links.

    Both end with a `cancel` link, SUCCESS included (recorded from real orgs, 2025).
    """
    body: JsonObject = {}
    if state_token is not None:
        body["stateToken"] = state_token
    body["expiresAt"] = expires_at
    body["status"] = status
    if session_token is not None:
        body["sessionToken"] = session_token
    embedded: JsonObject = {"user": authn_user(user)}
    links: JsonObject = {}
    if status == "PASSWORD_EXPIRED":
        # AUTHN's example of primary authentication with an expired password, key for key.
        embedded["policy"] = {
            "complexity": {
                "minLength": 8,
                "minLowerCase": 1,
                "minUpperCase": 1,
                "minNumber": 1,
                "minSymbol": 0,
            }
        }
        links["next"] = _authn_link(
            f"{base}/api/v1/authn/credentials/change_password", name="changePassword"
        )
    links["cancel"] = _authn_link(f"{base}/api/v1/authn/cancel")
    body["_embedded"] = embedded
    body["_links"] = links
    return body


# ----- user types, schemas, groups


def user_type(t: UserType, base: str) -> JsonObject:
    """A user type (SPEC UserType, ListsAllUserTypes)."""
    # PARITY: the SPEC's examples give `self` the schema's URL; the type's own URL is used.
    out: JsonObject = {"id": t.id, "displayName": t.display_name, "name": t.name}
    if t.description is not None:  # not nullable in the SPEC: left out when unset
        out["description"] = t.description
    out.update(
        createdBy=t.created_by,
        lastUpdatedBy=t.last_updated_by,
        created=iso(t.created),
        lastUpdated=iso(t.last_updated),
        default=t.default,
        _links={
            "self": {"href": f"{base}/api/v1/meta/types/user/{t.id}"},
            "schema": {"href": f"{base}/api/v1/meta/schemas/user/{t.schema_id}"},
        },
    )
    return out


def user_schema(t: UserType, schema: UserSchema, base: str, ref: str) -> JsonObject:
    """A user type's schema as the SPEC's UserSchemaResponse shows it; `ref` as requested."""
    # PARITY: the SPEC's examples show `…/meta/schemas/user/default` and `…/oscXXXX` as `id`;
    # the mock answers with the reference the request used.
    custom = {name: dict(attribute) for name, attribute in schema.custom.items()}
    return {
        "id": f"{base}/meta/schemas/user/{ref}",
        "$schema": "http://json-schema.org/draft-04/schema#",
        "name": t.name,
        "title": t.display_name,
        "lastUpdated": iso(schema.last_updated),
        "created": iso(schema.created),
        "definitions": {
            "base": {
                "id": "#base",
                "type": "object",
                "properties": {n: schema.base_attribute(n) for n, _, _ in BASE_PROPERTIES},
                "required": schema.required_base(),
            },
            "custom": {
                "id": "#custom",
                "type": "object",
                "properties": custom,
                "required": [n for n, a in custom.items() if a.get("required")],
            },
        },
        "type": "object",
        "properties": {
            "profile": {"allOf": [{"$ref": "#/definitions/base"}, {"$ref": "#/definitions/custom"}]}
        },
    }


def _logo(base: str, kind: str, size: str) -> JsonObject:
    return {"name": size, "href": f"{base}/img/logos/groups/{kind}-{size}.png", "type": "image/png"}


def group(g: Group, base: str, users_count: int | None = None) -> JsonObject:
    """A group (SPEC group-example): logos, users and apps links; stats when expanded."""
    href = f"{base}/api/v1/groups/{g.id}"
    logo = "okta" if g.type is not GroupType.APP_GROUP else "active_directory"
    out: JsonObject = {
        "id": g.id,
        "created": iso(g.created),
        "lastUpdated": iso(g.last_updated),
        "lastMembershipUpdated": iso(g.last_membership_updated),
        "objectClass": [OBJECT_CLASS],
        "type": g.type.value,
        "profile": dict(g.profile),
        "_links": {
            "logo": [_logo(base, logo, size) for size in ("medium", "large")],
            "users": {"href": f"{href}/users"},
            "apps": {"href": f"{href}/apps"},
        },
    }
    if users_count is not None:
        out["_embedded"] = {"stats": {"usersCount": users_count}}
    return out


def group_members(g: Group, members: list[str]) -> JsonObject:
    """A group for the control plane: its name, type and member ids (Everyone: null, all)."""
    return {
        "id": g.id,
        "name": g.name,
        "type": g.type.value,
        "members": None if g.type is GroupType.BUILT_IN else members,
    }


# ----- inline hooks


def _hook_link(href: str, method: str) -> JsonObject:
    return {"href": href, "hints": {"allow": [method]}}


def inline_hook(hook: InlineHook, base: str) -> JsonObject:
    """An inline hook as the SPEC's `InlineHook`: the authScheme `value` is never returned."""
    href = f"{base}/api/v1/inlineHooks/{hook.id}"
    channel = hook.channel
    config: JsonObject = {
        "uri": channel.uri,
        # PARITY: the SPEC's examples show `headers: []` even after a create with headers;
        # OLD docs echoed them. The mock echoes them (they are not the secret).
        "headers": [{"key": h.key, "value": h.value} for h in channel.headers],
        "method": channel.method,
        "authScheme": (
            {"type": channel.auth_scheme.type, "key": channel.auth_scheme.key}
            if channel.auth_scheme
            else None
        ),
    }
    links: JsonObject = {"self": {"href": href}}
    # PARITY: the SPEC's link examples disagree with each other; these follow each status's
    # operations. There is no `execute` link: the mock has no execute endpoint.
    if hook.status is HookStatus.ACTIVE:
        links["deactivate"] = _hook_link(f"{href}/lifecycle/deactivate", "POST")
    else:
        links["activate"] = _hook_link(f"{href}/lifecycle/activate", "POST")
        links["delete"] = _hook_link(href, "DELETE")
    return {
        "id": hook.id,
        "status": hook.status.value,
        "name": hook.name,
        "type": hook.type,
        "version": hook.version,
        "channel": {"type": channel.type, "version": channel.version, "config": config},
        "created": iso(hook.created),
        "lastUpdated": iso(hook.last_updated),
        "_links": links,
    }


def password_import_request(
    *,
    event_id: str,
    event_time: int,
    source: str,
    context: RequestContext,
    username: str,
    password: str,
) -> JsonObject:
    """The body Okta posts to a password import inline hook (OLD-PWHOOK, SPEC example)."""
    return {
        "eventId": event_id,
        "eventTime": iso(event_time),
        "eventType": PASSWORD_IMPORT,
        "eventTypeVersion": "1.0",
        "contentType": "application/json",
        "cloudEventVersion": "0.1",
        "source": source,
        "data": {
            "context": {
                "request": {
                    "id": context.id,
                    "method": context.method,
                    "url": {"value": context.url},
                    "ipAddress": context.ip_address,
                },
                "credential": {"username": username, "password": password},
            },
            "action": {"credential": "UNVERIFIED"},
        },
    }


def hook_report(report: HookReport) -> JsonObject:
    """A sign-in's hook call for the journal: target, answers, latency; never the password."""
    return {
        "id": report.hook_id,
        "uri": report.uri,
        "result": report.result,
        "verified": report.verified,
        "retried": report.retried,
        "latencyMs": round(sum(a.latency_ms for a in report.attempts), 3),
        "attempts": [
            {"answer": a.answer, "status": a.status, "latencyMs": a.latency_ms}
            for a in report.attempts
        ],
    }


# ----- apps (Application, ApplicationUsers and UserResources APIs)

# The logo Okta links for an app without one of its own (SPEC example BookmarkAppResponseEx).
DEFAULT_APP_LOGO: Final = "/assets/img/logos/default.6770228fb0dab49a1695ef440a5279bb.png"


def application(
    app: App, base: str, *, with_secret: bool = False, embedded: JsonObject | None = None
) -> JsonObject:
    """An app as the SPEC's `Application`; the client secret only on create and replace.

    SPEC ApplicationCredentialsOAuthClient: "The client_secret is only shown when an OAuth 2.0
    client app is created or updated (and only if the token_endpoint_auth_method requires a
    client secret)."
    """
    credentials = dict(app.credentials)
    client = credentials.get("oauthClient")
    if isinstance(client, dict) and with_secret and app.client_secret is not None:
        shown = {k: v for k, v in client.items() if k != "client_id"}
        credentials["oauthClient"] = {
            "autoKeyRotation": shown.pop("autoKeyRotation", True),
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            **shown,
        }
    body: JsonObject = {
        "id": app.id,
        "name": app.name,
        "label": app.label,
        "status": app.status.value,
        "lastUpdated": iso(app.last_updated),
        "created": iso(app.created),
        "accessibility": app.accessibility,
        "visibility": app.visibility,
        "features": list(app.features),
        "signOnMode": app.sign_on_mode.value,
        "credentials": credentials,
        "settings": app.settings,
    }
    if app.profile is not None:
        body["profile"] = app.profile
    if embedded is not None:
        body["_embedded"] = {"user": embedded}  # expand=user/{userId}: that app user
    body["_links"] = _application_links(app, base)
    return body


def _application_links(app: App, base: str) -> JsonObject:
    href = f"{base}/api/v1/apps/{app.id}"
    shown = app.visibility.get("appLinks")
    links: JsonObject = {
        "logo": [{"name": "medium", "href": f"{base}{DEFAULT_APP_LOGO}", "type": "image/png"}],
        "appLinks": [
            {"name": name, "href": _link_url(app, base, name), "type": "text/html"}
            for name, on in (shown.items() if isinstance(shown, dict) else ())
            if on is True
        ],
        "users": {"href": f"{href}/users"},
        "groups": {"href": f"{href}/groups"},
        "self": {"href": href},
    }
    if app.status is AppStatus.ACTIVE:
        links["deactivate"] = {"href": f"{href}/lifecycle/deactivate"}
    else:
        links["activate"] = {"href": f"{href}/lifecycle/activate"}
    return links


def _link_url(app: App, base: str, name: str) -> str:
    return f"{base}/home/{app.name}/{app.id}/{app.link_ids.get(name, '')}"


def app_user(au: AppUser, base: str, *, embedded_user: User | None = None) -> JsonObject:
    """An app user as the SPEC's `AppUser` (examples AppUserSSOResponse, AppUserProvResponse)."""
    body: JsonObject = {
        "id": au.user_id,
        # SPEC AppUserStatus: DEPROVISIONED means "the externalId property is unassigned".
        "externalId": None if au.status is AppUserStatus.DEPROVISIONED else au.external_id,
        "created": iso(au.created),
        "lastUpdated": iso(au.last_updated),
        "scope": au.scope.value,
        "status": au.status.value,
        "statusChanged": iso(au.status_changed),
        "passwordChanged": iso(au.password_changed),
        "syncState": au.sync_state,
    }
    if au.last_sync is not None:
        body["lastSync"] = iso(au.last_sync)
    credentials: JsonObject = {}
    if au.user_name is not None:
        credentials["userName"] = au.user_name
    if au.password_changed is not None:
        credentials["password"] = {}  # write-only: {} says one is set
    body["credentials"] = credentials
    body["profile"] = dict(au.profile)
    body["_links"] = {
        "app": {"href": f"{base}/api/v1/apps/{au.app_id}"},
        "user": {"href": f"{base}/api/v1/users/{au.user_id}"},
    }
    if embedded_user is not None:
        body["_embedded"] = {"user": user(embedded_user, base)}
    return body


def app_group(ag: AppGroup, base: str, *, embedded_group: Group | None = None) -> JsonObject:
    """A group assigned to an app (SPEC `ApplicationGroupAssignment`, GroupAssignmentPutResponse
    example)."""
    app_href = f"{base}/api/v1/apps/{ag.app_id}"
    body: JsonObject = {
        "id": ag.group_id,
        "priority": ag.priority,
        "lastUpdated": iso(ag.last_updated),
        "profile": dict(ag.profile),
        "_links": {
            "app": {"href": app_href},
            "self": {"href": f"{app_href}/groups/{ag.group_id}"},
            "group": {"href": f"{base}/api/v1/groups/{ag.group_id}"},
        },
    }
    if embedded_group is not None:
        body["_embedded"] = {"group": group(embedded_group, base)}
    return body


def app_link(link: AppLink, base: str) -> JsonObject:
    """One of a user's app links (SPEC `AssignedAppLink`, example ListAppLinks)."""
    app = link.app
    hide = app.visibility.get("hide")
    return {
        "id": link.user_id,  # the SPEC example gives the user's id here
        "label": app.label,
        "linkUrl": _link_url(app, base, link.link_name),
        "logoUrl": f"{base}{DEFAULT_APP_LOGO}",
        "appName": app.name,
        "appInstanceId": app.id,
        "appAssignmentId": link.assignment_id,
        "credentialsSetup": False,
        "hidden": bool(hide.get("web")) if isinstance(hide, dict) else False,
        "sortOrder": link.sort_order,
    }


# ----- principal rate limits


def _seconds(ms: int) -> str:
    """`2025-09-22T17:31:41Z`: how real orgs answer a principal rate limit's timestamps."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000))


def principal_rate_limit(entity: PrincipalRateLimit, org_id: str) -> JsonObject:
    """A `PrincipalRateLimitEntity`, fields in the order a real org sends them (2025)."""
    return {
        "id": entity.id,
        "orgId": org_id,
        "principalId": entity.principal_id,
        "principalType": entity.principal_type,
        "defaultPercentage": entity.percentage,
        "defaultConcurrencyPercentage": entity.concurrency_percentage,
        "lastUpdate": _seconds(entity.last_update),
        "lastUpdatedBy": entity.last_updated_by,
        "createdDate": _seconds(entity.created),
        "createdBy": entity.created_by,
    }
