"""The body of a create or replace application request, validated, with Okta's defaults.

Defaults are those of Okta's own responses (SPEC examples BookmarkAppResponseEx,
BasicAuthResponseEx, Saml2.0ResponseEx, OpenidConnectResponseEx).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from mock_okta.apps.catalogue import (
    CATALOGUE,
    CUSTOM_SAML,
    DEFAULT_USERNAME_TEMPLATE,
    AppDefinition,
)
from mock_okta.apps.models import App, JsonObject, SignOnMode
from mock_okta.apps.oauth import OAuthInput, parse_oauth
from mock_okta.errors import validation_error

MAX_LABEL: Final = 100  # Apps API "Application properties": label 1 to 100 characters
SCHEMES: Final = (
    "ADMIN_SETS_CREDENTIALS",
    "EDIT_PASSWORD_ONLY",
    "EDIT_USERNAME_AND_PASSWORD",
    "EXTERNAL_PASSWORD_SYNC",
    "SHARED_USERNAME_AND_PASSWORD",
)
SIGNED: Final = frozenset({SignOnMode.SAML_1_1, SignOnMode.SAML_2_0, SignOnMode.OPENID_CONNECT})


@dataclass(frozen=True, slots=True)
class ApplicationInput:
    definition: AppDefinition
    name: str | None  # None for a custom SAML 2.0 app: Okta generates it
    label: str
    mode: SignOnMode
    settings: JsonObject
    credentials: JsonObject
    visibility: JsonObject
    accessibility: JsonObject
    profile: JsonObject | None
    oauth: OAuthInput | None


def parse_application(body: Mapping[str, object], existing: App | None = None) -> ApplicationInput:
    """Validate a create (or, with `existing`, a replace: name and status are ignored)."""
    mode = _mode(body.get("signOnMode"))
    definition, name = _definition(body.get("name"), mode, existing)
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        raise validation_error("label", "The field cannot be left blank")
    if len(label) > MAX_LABEL:
        raise validation_error("label", f"The field is too long (at most {MAX_LABEL} characters)")
    settings = _object(body, "settings")
    app_settings = _object(settings, "app")
    for required in definition.required_app_settings:
        value = app_settings.get(required)
        if not isinstance(value, str) or not value:
            raise validation_error(f"settings.app.{required}", "The field cannot be left blank")
    if mode is SignOnMode.SAML_2_0 and definition.name == CUSTOM_SAML:
        settings["signOn"] = _saml_sign_on(_object(settings, "signOn"))
    credentials = _object(body, "credentials")
    oauth = (
        parse_oauth(credentials, settings, existing) if mode is SignOnMode.OPENID_CONNECT else None
    )
    profile = body.get("profile")
    if profile is not None and (
        mode is not SignOnMode.OPENID_CONNECT or not isinstance(profile, dict)
    ):
        # Apps API: "You can only add the Profile object to OAuth 2.0 client applications."
        raise validation_error("profile", "The profile is only available to OAuth 2.0 client apps")
    return ApplicationInput(
        definition=definition,
        name=name,
        label=label,
        mode=mode,
        settings=_settings(settings, oauth),
        credentials=_credentials(credentials, mode),
        visibility=_visibility(_object(body, "visibility"), mode),
        accessibility={
            "selfService": False,
            "errorRedirectUrl": None,
            "loginRedirectUrl": None,
            **_object(body, "accessibility"),
        },
        profile=dict(profile) if isinstance(profile, dict) else None,
        oauth=oauth,
    )


def _mode(raw: object) -> SignOnMode:
    if raw is None:
        raise validation_error("signOnMode", "The field cannot be left blank")
    try:
        return SignOnMode(str(raw))
    except ValueError:
        # PARITY: AUTO_LOGIN, BROWSER_PLUGIN, SECURE_PASSWORD_STORE and WS_FEDERATION are Okta's
        # too; the mock serves the modes a migration meets.
        raise validation_error(
            "signOnMode", f"The mock serves {', '.join(m.value for m in SignOnMode)}"
        ) from None


def _definition(
    raw: object, mode: SignOnMode, existing: App | None
) -> tuple[AppDefinition, str | None]:
    if existing is not None:
        if mode is not existing.sign_on_mode:
            # PARITY: Okta's answer to a replace that changes signOnMode is unconfirmed.
            raise validation_error("signOnMode", "The sign-on mode of an app can't be changed")
        key = existing.name if existing.name in CATALOGUE else CUSTOM_SAML
        return CATALOGUE[key], existing.name
    if raw is None and mode is SignOnMode.SAML_2_0:
        return CATALOGUE[CUSTOM_SAML], None
    if not isinstance(raw, str) or not raw:
        raise validation_error("name", "The field cannot be left blank")
    definition = CATALOGUE.get(raw) if raw != CUSTOM_SAML else None
    if definition is None:
        # PARITY: the mock's catalogue stands in for the Okta Integration Network.
        known = ", ".join(n for n in CATALOGUE if n)
        raise validation_error("name", f"No app definition named {raw!r}; the mock knows {known}")
    if mode not in definition.modes:
        modes = ", ".join(sorted(m.value for m in definition.modes))
        raise validation_error("signOnMode", f"{raw} supports the sign-on modes {modes}")
    return definition, raw


def _saml_sign_on(sign_on: JsonObject) -> JsonObject:
    """A custom SAML 2.0 app needs where to post and for whom (Apps API, custom SAML); the rest
    has Okta's defaults (SPEC Saml2.0ResponseEx), recipient and destination the ACS URL's."""
    if not (sign_on.get("ssoAcsUrl") or sign_on.get("destinationOverride")):
        raise validation_error("settings.signOn.ssoAcsUrl", "The field cannot be left blank")
    if not sign_on.get("audience"):
        raise validation_error("settings.signOn.audience", "The field cannot be left blank")
    if sign_on.get("responseSigned") is False and sign_on.get("assertionSigned") is False:
        # Apps API: "Either (or both) responseSigned or assertionSigned must be TRUE."
        raise validation_error(
            "settings.signOn", "Either responseSigned or assertionSigned must be true"
        )
    acs = sign_on.get("ssoAcsUrl")
    return {
        "defaultRelayState": None,
        "ssoAcsUrl": acs,
        "idpIssuer": "http://www.okta.com/${org.externalKey}",
        "recipient": acs,
        "destination": acs,
        "subjectNameIdTemplate": "${user.userName}",
        "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
        "responseSigned": True,
        "assertionSigned": True,
        "signatureAlgorithm": "RSA_SHA256",
        "digestAlgorithm": "SHA256",
        "honorForceAuthn": True,
        "authnContextClassRef": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
        "requestCompressed": False,
        "allowMultipleAcsEndpoints": False,
        "acsEndpoints": [],
        "samlSignedRequestEnabled": False,
        "attributeStatements": [],
        "inlineHooks": [],
        **sign_on,
    }


def _object(parent: Mapping[str, object], key: str) -> JsonObject:
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise validation_error(key, "The value must be an object")
    return dict(value)


def _settings(given: JsonObject, oauth: OAuthInput | None) -> JsonObject:
    settings: JsonObject = {
        "app": {},
        "notifications": {
            "vpn": {"network": {"connection": "DISABLED"}, "message": None, "helpUrl": None}
        },
        "manualProvisioning": False,
        "implicitAssignment": False,
        "notes": {"admin": None, "enduser": None},
        **given,
    }
    if oauth is not None:
        settings["oauthClient"] = oauth.settings
    return settings


def _credentials(given: JsonObject, mode: SignOnMode) -> JsonObject:
    """Everything but oauthClient, which the caller adds with its id and secret."""
    template = given.get("userNameTemplate")
    if template is not None and not isinstance(template, dict):
        raise validation_error("userNameTemplate", "The value must be an object")
    credentials: JsonObject = {
        "userNameTemplate": {
            "template": DEFAULT_USERNAME_TEMPLATE,
            "type": "BUILT_IN",
            **(template or {}),
        },
        "signing": dict(signing) if isinstance(signing := given.get("signing"), dict) else {},
    }
    if mode is SignOnMode.BASIC_AUTH:
        scheme = given.get("scheme", "EDIT_USERNAME_AND_PASSWORD")
        if scheme not in SCHEMES:
            raise validation_error("scheme", f"The scheme must be one of {', '.join(SCHEMES)}")
        credentials = {"scheme": scheme, **credentials, "revealPassword": False}
        if scheme == "SHARED_USERNAME_AND_PASSWORD":
            # The shared account (Apps API, Application Credentials object); the password is
            # write-only, and the mock keeps only that one was set.
            shared = given.get("userName")
            if shared is not None:
                if not isinstance(shared, str) or not 1 <= len(shared) <= 100:
                    raise validation_error("userName", "The userName must be 1 to 100 characters")
                credentials["userName"] = shared
            if given.get("password") is not None:
                credentials["password"] = {}
    elif "scheme" in given:
        # Apps API: BOOKMARK, SAML_2_0 and WS_FEDERATION don't support an authentication scheme.
        raise validation_error("scheme", "This sign-on mode takes no authentication scheme")
    return credentials


def _visibility(given: JsonObject, mode: SignOnMode) -> JsonObject:
    """`appLinks` stays as given (None when not): its default names the app, maybe not yet named."""
    hidden = mode is SignOnMode.OPENID_CONNECT  # SPEC OpenidConnectResponseEx hides its tile
    hide = given.get("hide")
    app_links = given.get("appLinks")
    if app_links is not None and (
        not isinstance(app_links, dict) or not all(isinstance(v, bool) for v in app_links.values())
    ):
        raise validation_error("appLinks", "The value must be an object of link names: true|false")
    return {
        "autoLaunch": False,
        "autoSubmitToolbar": False,
        **given,
        "hide": {"iOS": hidden, "web": hidden, **(hide if isinstance(hide, dict) else {})},
        "appLinks": app_links,
    }
