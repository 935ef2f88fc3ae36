"""The app names a migration meets: the mock's small Okta Integration Network.

Each entry says which sign-on modes the app takes, which `settings.app` properties it needs,
what its app users' profile holds, and whether it provisions. Sources: SPEC schemas
BookmarkApplication, BasicAuthApplication, OpenIdConnectApplication, Office365Application,
GoogleApplication, SamlApplication; the custom SAML 2.0 app has no name (Okta generates one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from mock_okta.apps.models import JsonObject, SignOnMode

CUSTOM_SAML: Final = ""  # the catalogue key of the custom SAML 2.0 app (no name is sent)
DEFAULT_USERNAME_TEMPLATE: Final = "${source.login}"  # SPEC ApplicationCredentialsUsernameTemplate
PROVISIONING: Final = ("PUSH_NEW_USERS", "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS")

ProfileMapping = Callable[[Mapping[str, object]], JsonObject]


def _no_mapping(_user: Mapping[str, object]) -> JsonObject:
    return {}


def _oidc_claims(user: Mapping[str, object]) -> JsonObject:
    """The profile an OIDC app user gets (SPEC example AppUserSSOResponse)."""
    first, last = user.get("firstName"), user.get("lastName")
    name = " ".join(str(p) for p in (first, last) if p) or None
    return {
        "street_address": None,
        "country": None,
        "website": None,
        "zoneinfo": user.get("timezone") or "America/Los_Angeles",
        "birthdate": None,
        "gender": None,
        "formatted": None,
        "profile": None,
        "locality": None,
        "given_name": first,
        "middle_name": user.get("middleName"),
        "locale": user.get("locale") or "en_US",
        "picture": None,
        "name": name,
        "nickname": user.get("nickName"),
        "phone_number": user.get("mobilePhone"),
        "region": None,
        "postal_code": None,
        "family_name": last,
        "email": user.get("email"),
    }


def _directory_profile(user: Mapping[str, object]) -> JsonObject:
    """The profile a provisioning app user gets (SPEC example AppUserProvResponse)."""
    return {
        "secondEmail": user.get("secondEmail"),
        "lastName": user.get("lastName"),
        "mobilePhone": user.get("mobilePhone"),
        "email": user.get("email"),
        "firstName": user.get("firstName"),
    }


def _office365_profile(user: Mapping[str, object]) -> JsonObject:
    return {**_directory_profile(user), "immutableId": None}


@dataclass(frozen=True, slots=True)
class AppDefinition:
    name: str
    modes: frozenset[SignOnMode]
    required_app_settings: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    # None: any property (a custom app's app-user schema is the org's own).
    profile_properties: frozenset[str] | None = None
    mapping: ProfileMapping = _no_mapping
    # Microsoft 365: the app user's immutable ID is set once, at first assignment.
    immutable_id: bool = False
    link: str = "login"  # visibility.appLinks key; "{name}_link" for custom SAML and OIDC

    @property
    def provisions(self) -> bool:
        return "PUSH_NEW_USERS" in self.features


CATALOGUE: Final[Mapping[str, AppDefinition]] = {
    d.name: d
    for d in (
        AppDefinition("bookmark", frozenset({SignOnMode.BOOKMARK}), ("url",)),
        AppDefinition(
            "template_basic_auth", frozenset({SignOnMode.BASIC_AUTH}), ("url", "authURL")
        ),
        AppDefinition(
            "oidc_client",
            frozenset({SignOnMode.OPENID_CONNECT}),
            profile_properties=frozenset(_oidc_claims({})),
            mapping=_oidc_claims,
            link="oidc_client_link",
        ),
        # PARITY: the SPEC also allows BROWSER_PLUGIN for these two; the mock models their
        # federated modes only. Both provision (PUSH_NEW_USERS), as a migration sets them up.
        AppDefinition(
            "office365",
            frozenset({SignOnMode.SAML_1_1}),
            ("domain", "msftTenant"),
            PROVISIONING,
            frozenset(_office365_profile({})),
            _office365_profile,
            immutable_id=True,
        ),
        AppDefinition(
            "google",
            frozenset({SignOnMode.SAML_2_0}),
            ("domain",),
            PROVISIONING,
            frozenset(_directory_profile({})),
            _directory_profile,
        ),
        AppDefinition(CUSTOM_SAML, frozenset({SignOnMode.SAML_2_0}), link="{name}_link"),
    )
}


def custom_saml_name(org: str, label: str, taken: Callable[[str], bool]) -> str:
    """Okta's generated name: `<org>_<label, letters and digits only>_<n>`, e.g.
    `testorgone_examplecustomsaml20app_1` (SPEC example Saml2.0ResponseEx)."""
    slug = re.sub(r"[^a-z0-9]", "", label.lower()) or "app"
    n = 1
    while taken(f"{org}_{slug}_{n}"):
        n += 1
    return f"{org}_{slug}_{n}"


_TEMPLATE: Final = re.compile(
    r"\$\{(?:fn:(?P<fn>toLowerCase|substringBefore)\()?source\.(?P<prop>[A-Za-z_][A-Za-z0-9_]*)"
    r'(?:,\s*"(?P<sep>[^"]*)")?\)?\}'
)


def user_name(template: object, profile: Mapping[str, object]) -> str:
    """An app user's default userName from the app's userNameTemplate (built-in expressions).

    PARITY: the mock evaluates `${source.x}`, `${fn:toLowerCase(source.x)}` and
    `${fn:substringBefore(source.x, "@")}`; anything else gives the Okta login.
    """
    login = str(profile.get("login") or "")
    text = template if isinstance(template, str) else DEFAULT_USERNAME_TEMPLATE
    match = _TEMPLATE.fullmatch(text)
    if match is None:
        return login
    value = str(profile.get(match["prop"]) or "")
    if match["fn"] == "toLowerCase":
        value = value.lower()
    elif match["fn"] == "substringBefore" and match["sep"]:
        value = value.split(match["sep"], 1)[0]
    return value or login  # a userName is never empty (SPEC AppUserCredentials.userName)
