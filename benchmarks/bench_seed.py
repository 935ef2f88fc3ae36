"""Bulk seed users a second (the store's `seed_users`, or POST /_mock/users), against a baseline.

    .venv/bin/python benchmarks/bench_seed.py --baseline ../main            # SHA-256, the store
    .venv/bin/python benchmarks/bench_seed.py --baseline ../main --kind plain --via wsgi
    .venv/bin/python benchmarks/bench_seed.py --batches 5 --users 5000

Each side (this tree, and `--baseline`, another checkout) is one long-lived child process with
a fresh SQLite file store (WAL, as `mock-okta serve` runs; System Log events on). The sides take
turns, A B A B, each seeding one batch of `--users` new users per turn, `--batches` turns in
all; the median users/s per side is printed, and the ratio this/baseline. `--kind sha256` gives
every user a SHA-256 hash (salted, as an import carries); `--kind plain` a password value, which
the store checks against the password policy and keeps as its own salted SHA-256 (so both
kinds cost a hash parse or a hash, never bcrypt). `--via store` calls `org.store.seed_users`
directly; `--via wsgi` posts the batch's JSON body to the WSGI app (werkzeug's test client: the
route's JSON parse and answer included). Batches are built before the clock starts. Numbers
depend on the machine; they are measured, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sides import children

HERE = Path(__file__).resolve().parent.parent

CHILD = r"""
import base64, hashlib, json, sys, time
from mock_okta.config import RuntimeConfig, Settings
from mock_okta.org import Org
kind, via, db = sys.argv[1], sys.argv[2], sys.argv[3]
settings = Settings(db=db, syslog_retention=10**7, runtime=RuntimeConfig(rate_limits="off"))
org = Org(settings)
SALT = "MPu13OmY"
def items(batch, n):
    out = []
    for i in range(n):
        login = f"seed{batch}.{i}@example.com"
        if kind == "plain":
            password = {"value": "Vq7#mPzx-Kw"}
        else:
            digest = hashlib.sha256((SALT + f"Pw-{batch}-{i}-secret").encode()).digest()
            password = {"hash": {"algorithm": "SHA-256", "salt": SALT, "saltOrder": "PREFIX",
                                 "value": base64.b64encode(digest).decode()}}
        out.append({"profile": {"login": login, "email": login, "firstName": f"First{i % 97}",
                                "lastName": f"Last{i}"}, "credentials": {"password": password}})
    return out
if via == "wsgi":
    from mock_okta.app import create_app
    client = create_app(org=org).test_client()
    headers = {"Authorization": "SSWS test-token", "Content-Type": "application/json"}
print("ready", flush=True)
for line in sys.stdin:
    batch, n = (int(x) for x in line.split())
    made = items(batch, n)
    body = json.dumps({"users": made}).encode()
    started = time.perf_counter()
    if via == "wsgi":
        response = client.post("/_mock/users", data=body, headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)
    else:
        assert len(org.store.seed_users(made)) == n
    print(n / (time.perf_counter() - started), flush=True)
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--baseline", type=Path, help="another checkout of mock-okta")
    parser.add_argument("--kind", choices=("sha256", "plain"), default="sha256")
    parser.add_argument("--via", choices=("store", "wsgi"), default="store")
    parser.add_argument("--batches", type=int, default=5, help="turns per side (A B A B)")
    parser.add_argument("--users", type=int, default=5000, help="users per batch")
    args = parser.parse_args(argv)
    sides = {"this": HERE}
    if args.baseline:
        sides["baseline"] = args.baseline.resolve()
    rates: dict[str, list[float]] = {name: [] for name in sides}
    with tempfile.TemporaryDirectory() as tmp:
        argv = {
            name: (root, [args.kind, args.via, str(Path(tmp) / f"{name}.db")])
            for name, root in sides.items()
        }
        with children(CHILD, argv) as procs:
            for batch in range(args.batches):
                for name, side in procs.items():  # A B A B
                    rates[name].append(side.ask(f"{batch} {args.users}"))
    what = f"{args.kind}, via {args.via}, {args.batches} x {args.users:,} users"
    median = {name: statistics.median(values) for name, values in rates.items()}
    for name, value in median.items():
        rounds = [round(x) for x in rates[name]]
        print(f"seed users/s {name:<9} {value:8.0f}  ({what}; batches {rounds})")
    if "baseline" in median:
        print(f"ratio this/baseline: {median['this'] / median['baseline']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
