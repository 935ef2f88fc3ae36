"""What HTTPS costs: the served mock over HTTP and over `--tls`, side by side (A B C A B C).

    .venv/bin/python benchmarks/bench_tls.py                 # 2 rounds of 2000 requests each
    .venv/bin/python benchmarks/bench_tls.py --rounds 3 --requests 4000 --clients 8

Three servers run at once (`--db :memory:`, rate limits off) and are measured in turn:
`http`; `https`, as `mock-okta serve --tls` serves it (one TLS context per worker); and
`https-per-conn`, gunicorn's default TLS context factory (a new context, files read again, for
every connection), which is what the cached context in server.py replaces. Each is driven with
keep-alive connections, then with a new connection per request (a handshake each). Prints
requests per second (median over rounds) and the ratios to HTTP. Measured, never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import ssl
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

from mock_okta.testing.served import ServedMock

TOKEN = "bench-token"
HEADERS = {"Authorization": f"SSWS {TOKEN}"}
PATH = "/api/v1/users?limit=1"
# The mock with gunicorn's own per-connection TLS context: server.gunicorn_tls without ours.
PER_CONNECTION = (
    "import sys; from mock_okta import server; tls = server.gunicorn_tls;"
    " server.gunicorn_tls = lambda f: {k: v for k, v in tls(f).items() if k != 'ssl_context'};"
    " raise SystemExit(server.main(sys.argv[1:]))"
)


def start(variant: str, tls_dir: str) -> ServedMock:
    args = ["--db", ":memory:", "--rate-limits", "off"]
    if variant != "http":
        args += ["--tls", "--tls-dir", tls_dir]
    server = ServedMock(args, TOKEN)
    if variant == "https-per-conn":
        server.cmd[1:4] = ["-c", PER_CONNECTION]  # `-m mock_okta serve` → the patched server
    return server.start()


def drive(server: ServedMock, requests: int, clients: int, keep_alive: bool) -> float:
    """Requests per second from `clients` threads, each on its own connection(s)."""
    parts = urlsplit(server.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    context = ssl.create_default_context(cafile=server.ca_file) if server.ca_file else None
    errors: list[str] = []

    def connect() -> http.client.HTTPConnection:
        if context is None:
            return http.client.HTTPConnection(host, port, timeout=30)
        return http.client.HTTPSConnection(host, port, timeout=30, context=context)

    def work(n: int) -> None:
        conn = connect()
        for _ in range(n):
            if not keep_alive:
                conn.close()
                conn = connect()
            conn.request("GET", PATH, headers=HEADERS)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(str(response.status))
        conn.close()

    threads = [threading.Thread(target=work, args=(requests // clients,)) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise SystemExit(f"{server.url}: {len(errors)} requests failed ({errors[0]})")
    return (requests // clients) * clients / elapsed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000, help="requests per phase")
    parser.add_argument("--clients", type=int, default=8, help="client threads")
    parser.add_argument("--rounds", type=int, default=2, help="A B C rounds")
    args = parser.parse_args(argv)
    variants = ("http", "https", "https-per-conn")
    with tempfile.TemporaryDirectory() as tls_dir:
        servers = {v: start(v, tls_dir) for v in variants}
        try:
            rates: dict[tuple[str, bool], list[float]] = {}
            for _ in range(args.rounds):
                for keep_alive in (True, False):
                    for variant in variants:
                        rate = drive(servers[variant], args.requests, args.clients, keep_alive)
                        rates.setdefault((variant, keep_alive), []).append(rate)
        finally:
            for server in servers.values():
                server.stop()
    print(
        f"{args.rounds} rounds x {args.requests} GET {PATH}, {args.clients} client threads;"
        " requests/s (median), ratio to http"
    )
    print(f"{'':<16}{'keep-alive':>12}{'ratio':>8}{'new conn each':>16}{'ratio':>8}")
    for variant in variants:
        row = f"{variant:<16}"
        for keep_alive, width in ((True, 12), (False, 16)):
            median = statistics.median(rates[(variant, keep_alive)])
            base = statistics.median(rates[("http", keep_alive)])
            row += f"{median:>{width}.0f}{median / base:>8.2f}"
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
