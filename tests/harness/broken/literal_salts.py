"""Sends the salt as its text where Okta Base64-decodes it (SHA-512, SHA-1, MD5)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from mock_okta.hashing import HashAlgorithm
from mock_okta.tools import encoder, migrate, migration_records

_convert = encoder.to_okta_hash
DECODED = (HashAlgorithm.SHA512, HashAlgorithm.SHA1, HashAlgorithm.MD5)


def salt_as_text(legacy: object, **kwargs: object) -> object:
    okta_hash = _convert(legacy, **kwargs)  # type: ignore[arg-type]
    if isinstance(legacy, Mapping) and legacy.get("salt") and okta_hash.algorithm in DECODED:
        return dataclasses.replace(okta_hash, salt=str(legacy["salt"]))
    return okta_hash


migration_records.to_okta_hash = salt_as_text  # type: ignore[assignment]

if __name__ == "__main__":
    raise SystemExit(migrate.main())
