"""CPU per request inside the app (pipeline, store, serialisation, journal), against a baseline.

    .venv/bin/python benchmarks/bench_hotpath.py                         # this tree only
    .venv/bin/python benchmarks/bench_hotpath.py --baseline ../main      # A B A B with another

Each side runs in its own process on its own SQLite file, through Flask's test client (no
server, no socket: what the mock's own code costs), alternately, and the ratio of CPU time per
request is printed. Numbers are measured, never asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

CHILD = r"""
import dataclasses, json, sys, time
from mock_okta.app import create_app
from mock_okta.config import Settings
from mock_okta.org import Org
settings = Settings(db=sys.argv[1])
settings = dataclasses.replace(settings, runtime=settings.runtime.updated({"rateLimits": "off"}))
org = Org(settings)
client = create_app(org=org).test_client()
auth = {"Authorization": "SSWS test-token"}
n = int(sys.argv[2])
ids = []
out = {}
def timed(name, call):
    call(0)
    start = time.process_time()
    for i in range(1, n + 1):
        call(i)
    out[name] = (time.process_time() - start) / n * 1e6
def create(i):
    login = f"hot.{i}.{time.time_ns()}@example.com"
    body = {"profile": {"login": login, "email": login, "firstName": "Hot", "lastName": "Path"},
            "credentials": {"password": {"hash": {"algorithm": "SHA-256", "salt": "s4lt",
            "saltOrder": "PREFIX", "value": "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="}}}}
    r = client.post("/api/v1/users", json=body, headers=auth)
    assert r.status_code == 200, r.get_data(as_text=True)
    ids.append(r.get_json()["id"])
timed("create", create)
timed("get-id", lambda i: client.get(f"/api/v1/users/{ids[i % len(ids)]}", headers=auth))
email = org.store.get_user(ids[len(ids) // 2]).login
timed("search-eq", lambda i: client.get(
    "/api/v1/users", query_string={"search": f'profile.email eq "{email}"'}, headers=auth))
org.close()
print(json.dumps(out))
"""


def side(root: Path, db: Path, n: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), str(n)],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--baseline", type=Path, help="another checkout of mock-okta (A)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    sides = {"this": HERE} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for name, root in sides.items():  # A B A B
                runs[name].append(side(root, Path(tmp) / f"{name}-{r}.db", args.requests))
    print(f"{'cpu us / request':<18}" + "".join(f"{n:>12}" for n in sides) + "       ratio")
    for op in runs["this"][0]:
        best = {n: min(run[op] for run in runs[n]) for n in sides}
        line = f"{op:<18}" + "".join(f"{best[n]:>12.0f}" for n in sides)
        if "baseline" in best:
            line += f"   {best['baseline'] / best['this']:>7.2f}x faster"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
