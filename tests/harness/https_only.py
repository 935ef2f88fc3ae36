"""A migration tool that insists on HTTPS, as okta-cli does: it refuses an http:// org, and
trusts only the CA it is given (`--ca`, which must also be its REQUESTS_CA_BUNDLE); then it is
the reference migrator."""

from __future__ import annotations

import argparse
import os
import sys

from mock_okta.tools import migrate


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ca", required=True)
    parser.add_argument("--org", required=True)
    args, rest = parser.parse_known_args()
    if not args.org.startswith("https://"):
        print(f"refusing {args.org}: the org URL must start with https://", file=sys.stderr)
        return 2
    if not args.ca or os.environ.get("REQUESTS_CA_BUNDLE") != args.ca:
        print("the mock's CA is neither given nor in REQUESTS_CA_BUNDLE", file=sys.stderr)
        return 2
    return migrate.main(["--org", args.org, *rest])


if __name__ == "__main__":
    raise SystemExit(main())
