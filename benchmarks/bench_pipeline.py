"""CPU per request of the mock's WSGI app (no server, no socket), interleaved A B A B finely.

    .venv/bin/python benchmarks/bench_pipeline.py --baseline ../main     # this tree against another
    .venv/bin/python benchmarks/bench_pipeline.py --slices 30 --requests 300

Each side (this tree, `--baseline`, and a trivial Flask app answering the same GET) is one
long-lived process on its own SQLite file, called as gunicorn calls it (`app(environ,
start_response)`). They take turns in `--slices` short slices of `--requests` each, so the
load other work puts on a shared machine falls on every side alike; the median CPU time per
request over the slices is printed (the journal's writer thread included, as a worker pays for
it), with the ratios. Numbers are measured, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sides import children

HERE = Path(__file__).resolve().parent.parent

CHILD = r"""
import dataclasses, io, json, sys, time
from werkzeug.test import EnvironBuilder
kind, db = sys.argv[1], sys.argv[2]
auth = {"Authorization": "SSWS test-token"}
def start_response(status, headers, exc_info=None):
    return None
if kind == "trivial":
    from flask import Flask, jsonify
    app = Flask("trivial")
    @app.get("/api/v1/users/<uid>")
    def get(uid):
        return jsonify({"id": uid, "status": "ACTIVE", "profile": {"login": "a@example.com"}})
    @app.post("/api/v1/users")
    def create():
        from flask import request
        return jsonify({"id": "00u1", "profile": request.get_json()["profile"]})
    flush = lambda: None
else:
    from mock_okta.app import create_app
    from mock_okta.config import Settings
    from mock_okta.org import Org
    settings = Settings(db=db)
    settings = dataclasses.replace(
        settings, runtime=settings.runtime.updated({"rateLimits": "off"}))
    org = Org(settings)
    app = create_app(org=org)
    flush = org.journal.flush
def call(environ):
    for _ in app(dict(environ, **{"wsgi.input": io.BytesIO(environ["body"])}), start_response):
        pass
def create_env(i):
    login = f"pipe.{i}.{time.time_ns()}@example.com"
    body = {"profile": {"login": login, "email": login, "firstName": "Pipe", "lastName": "Line"},
            "credentials": {"password": {"hash": {"algorithm": "SHA-256", "salt": "s4lt",
            "saltOrder": "PREFIX", "value": "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="}}}}
    env = EnvironBuilder(path="/api/v1/users", method="POST", json=body,
                         headers=auth).get_environ()
    env["body"] = env["wsgi.input"].read()
    return env
ids = []
client = app.test_client()
for i in range(200):
    r = client.post("/api/v1/users", json=json.loads(create_env(i)["body"]), headers=auth)
    ids.append(r.get_json()["id"])
gets = []
for uid in ids:
    env = EnvironBuilder(path=f"/api/v1/users/{uid}", headers=auth).get_environ()
    env["body"] = b""
    gets.append(env)
n = 0
print("ready", flush=True)
for line in sys.stdin:
    op, count = line.split()
    envs = ([gets[(n + i) % len(gets)] for i in range(int(count))] if op == "get-id"
            else [create_env(n + i) for i in range(int(count))])
    n += int(count)
    started = time.process_time()
    for env in envs:
        call(env)
    flush()
    print((time.process_time() - started) / int(count) * 1e6, flush=True)
"""

OPS = ("get-id", "create")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--baseline", type=Path, help="another checkout of mock-okta")
    parser.add_argument("--slices", type=int, default=20)
    parser.add_argument("--requests", type=int, default=300, help="per slice")
    args = parser.parse_args(argv)
    sides = {"this": ("mock", HERE)}
    if args.baseline:
        sides["baseline"] = ("mock", args.baseline.resolve())
    sides["trivial"] = ("trivial", HERE)
    samples: dict[str, dict[str, list[float]]] = {op: {name: [] for name in sides} for op in OPS}
    with tempfile.TemporaryDirectory() as tmp:
        argv = {
            name: (root, [kind, str(Path(tmp) / f"{name}.db")])
            for name, (kind, root) in sides.items()
        }
        with children(CHILD, argv) as procs:
            for _ in range(args.slices):
                for op in OPS:
                    for name, side in procs.items():  # A B A B
                        samples[op][name].append(side.ask(f"{op} {args.requests}"))
    print(f"{'cpu us / request':<18}" + "".join(f"{n:>12}" for n in sides) + "   ratios")
    for op in OPS:
        median = {name: statistics.median(values) for name, values in samples[op].items()}
        line = f"{op:<18}" + "".join(f"{median[n]:>12.0f}" for n in sides)
        if "baseline" in median:
            line += f"   baseline/this {median['baseline'] / median['this']:.2f}x"
        line += f"   this/trivial {median['this'] / median['trivial']:.2f}x"
        print(line)
    print(
        json.dumps(
            {op: {n: statistics.median(v) for n, v in s.items()} for op, s in samples.items()}
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
