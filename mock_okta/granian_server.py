"""`mock-okta serve --server granian`: the same Flask app behind granian's WSGI interface.

granian (a Rust HTTP server) forks its workers from this process, so the shared memory made
here (in-flight counts, rate windows) is theirs too; a worker's slot is its granian worker
number, which a replacement for a crashed worker keeps. What gunicorn does for the mock and
granian does not (the request-line and header limits, the access log) is `edge.py`'s.
"""

from __future__ import annotations

import multiprocessing
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from granian.constants import HTTPModes, Interfaces, SSLProtocols
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server import Server
from granian.server.mp import MPServer

from mock_okta.app import create_app
from mock_okta.concurrency import Shared
from mock_okta.config import Settings
from mock_okta.db import MEMORY
from mock_okta.edge import Edge
from mock_okta.org import Org
from mock_okta.tls import TlsFiles

# Set in each worker before its app is built: granian numbers its workers from 1.
_slot: list[int] = [0]


def _spawn_wsgi_worker(worker_id: int, *args: Any) -> None:
    _slot[0] = worker_id - 1
    MPServer._spawn_wsgi_worker(worker_id, *args)


class _Granian(Server):  # type: ignore[misc,valid-type]
    """granian's server, telling `on_listen` the port it bound (port 0 picks one)."""

    def __init__(self, on_listen: Callable[[str, int], None], **options: Any) -> None:
        super().__init__(**options)
        self._on_listen = on_listen

    def _init_shared_socket(self) -> None:
        super()._init_shared_socket()
        if self._ssp is not None:  # Linux: the spec, once built, holds the bound address
            host, port = self._ssp.__getstate__()[:2]
        else:  # elsewhere: the socket granian made
            with socket.fromfd(self._sfd, socket.AF_INET, socket.SOCK_STREAM) as bound:
                host, port = bound.getsockname()[:2]
        self._on_listen(host, port)


def run(
    settings: Settings,
    tls: TlsFiles | None,
    shared: Shared,
    announce: Callable[[str, int], None],
) -> None:
    """Serve until SIGINT or SIGTERM."""
    # Workers must inherit `shared` (fork): granian follows the start method, and Python 3.14
    # makes forkserver Linux's default, which granian would turn into spawn.
    multiprocessing.set_start_method("fork", force=True)

    def load() -> Any:
        publish = settings.db == MEMORY  # a file store was prepared before the fork
        org = Org(settings, publish=publish, shared=shared, inflight_slot=_slot[0])
        return Edge(create_app(org=org), access_log=settings.access_log)

    server = _Granian(
        announce,
        target="mock_okta",  # a label only: the app comes from `load`
        address=settings.host,
        port=settings.port,
        interface=Interfaces.WSGI,
        workers=settings.workers,
        # Python threads per worker: requests held in flight (the concurrency limit, a slow
        # inline hook, injected latency) each keep one, as with gunicorn's gthread.
        blocking_threads=settings.threads,
        backpressure=settings.threads,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(keep_alive=True),
        websockets=False,
        log_level=LogLevels.error,  # its thread-count advice does not apply (threads mostly wait)
        log_access=False,  # Edge writes gunicorn's access-log line, secrets redacted
        respawn_failed_workers=True,
        respawn_interval=0.0,
        ssl_cert=Path(tls.certfile) if tls else None,
        ssl_key=Path(tls.keyfile) if tls else None,
        ssl_protocol_min=SSLProtocols.tls12,  # as Python's (and so gunicorn's) default
    )
    server.serve(spawn_target=_spawn_wsgi_worker, target_loader=load, wrap_loader=False)
