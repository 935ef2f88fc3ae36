"""Sends the hex digest as the hash value, as the SHA-256 forum thread did (seeds/001)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from mock_okta.tools import encoder, migrate, migration_records

_convert = encoder.to_okta_hash


def hex_instead_of_base64(legacy: object, **kwargs: object) -> object:
    okta_hash = _convert(legacy, **kwargs)  # type: ignore[arg-type]
    if isinstance(legacy, Mapping) and legacy.get("hex"):
        return dataclasses.replace(okta_hash, value=str(legacy["hex"]))
    return okta_hash


migration_records.to_okta_hash = hex_instead_of_base64  # type: ignore[assignment]

if __name__ == "__main__":
    raise SystemExit(migrate.main())
