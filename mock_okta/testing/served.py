"""`mock-okta serve` in a subprocess on a free port, for end-to-end tests and the harness."""

from __future__ import annotations

import atexit
import os
import re
import signal
import subprocess
import sys
import threading
import time
import warnings
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests
import urllib3

_BANNER = re.compile(r"serving (https?://\S+)")
_CA = re.compile(r"^  CA: (.+)$")
_OWN_CERTIFICATE = "  tls: your certificate"


class ServeError(RuntimeError):
    """The server did not start; the message holds what it printed."""


class ServedMock:
    """The real server (gunicorn) as a child process in its own process group.

    `start()` waits until it answers; `url`, `pid` and `log()` (everything it wrote to stderr,
    read by a thread so a chatty server never blocks on a full pipe); `kill()` is a crash
    (SIGKILL to the master and every worker at once), `stop()` a clean shutdown. With `--tls`
    in `args`, `url` is https:// and `ca_file` the CA it printed (or the one given here, for
    `--certfile`).
    """

    def __init__(
        self, args: Sequence[str], token: str, timeout: float = 30, *, ca_file: str | None = None
    ) -> None:
        self.cmd = [sys.executable, "-m", "mock_okta", "serve", "--port", "0", "--token", token]
        self.cmd += list(args)
        self.token = token
        self.timeout = timeout
        self.url = ""
        self.ca_file = ca_file
        self._proc: subprocess.Popen[str] | None = None
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._reader: threading.Thread | None = None

    @property
    def pid(self) -> int:
        """The gunicorn master's process id."""
        assert self._proc is not None, "start() the server first"
        return self._proc.pid

    def start(self) -> ServedMock:
        self._proc = subprocess.Popen(
            self.cmd,
            stdout=subprocess.DEVNULL,  # never hold the caller's stdout (a CI log) open
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            process_group=0,
        )
        _RUNNING.add(self)
        self._reader = threading.Thread(target=self._read, name="mock-okta-stderr", daemon=True)
        self._reader.start()
        deadline = time.monotonic() + self.timeout
        while not self._ready.wait(0.1):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise ServeError("mock-okta serve did not start:\n" + self.log())
        headers = {"Authorization": f"SSWS {self.token}"}
        # False only for a --certfile whose CA nobody named: this probe alone does not verify.
        verify: str | bool = self.ca_file or not self.url.startswith("https:")
        for _ in range(100):  # every worker may still be booting
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
                    url = f"{self.url}/_mock/config"
                    requests.get(url, headers=headers, timeout=2, verify=verify)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        while len(self.worker_pids()) < self._workers() and time.monotonic() < deadline:
            time.sleep(0.05)  # gunicorn forks its workers after it announces itself
        return self

    def _workers(self) -> int:
        if "--workers" in self.cmd:
            return int(self.cmd[self.cmd.index("--workers") + 1])
        return 1

    def _read(self) -> None:
        assert self._proc is not None
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            with self._lock:
                self._lines.append(line)
            if self._ready.is_set():
                continue
            if found := _BANNER.search(line):
                self.url = found.group(1)
            elif found := _CA.match(line.rstrip("\n")):
                self.ca_file = found.group(1)
            own = line.startswith(_OWN_CERTIFICATE)
            if self.url and (self.url.startswith("http:") or self.ca_file or own):
                self._ready.set()  # for https://, once the CA (or that it is the team's) is known

    def log(self) -> str:
        """Everything the server wrote to stderr so far (after `stop()` or `kill()`: all)."""
        with self._lock:
            return "".join(self._lines)

    def worker_pids(self) -> list[int]:
        """The master's child processes (its workers), read from /proc."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # the process went away
            if int(fields[1]) == self.pid:
                children.append(int(stat.parent.name))
        return children

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown, no flush, as in a crash."""
        if self._proc is None:
            return
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)  # its workers too, even if it has exited
        except ProcessLookupError:
            pass
        self._wait()

    def stop(self) -> None:
        """SIGTERM (gunicorn's graceful shutdown); SIGKILL if it takes longer than 10 s."""
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._wait()

    def _wait(self) -> None:
        assert self._proc is not None
        _RUNNING.discard(self)
        self._proc.wait(10)
        if self._reader is not None:
            self._reader.join(10)  # the pipe closes once every process in the group is gone
        if self._proc.stderr is not None:
            self._proc.stderr.close()

    def __enter__(self) -> ServedMock:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


_RUNNING: weakref.WeakSet[ServedMock] = weakref.WeakSet()


@atexit.register
def _kill_leftovers() -> None:
    """A test process that ends early (Ctrl-C, a timeout) takes its servers with it."""
    for server in list(_RUNNING):
        server.kill()


@contextmanager
def served(args: Sequence[str], token: str, timeout: float = 30) -> Iterator[str]:
    """Run `mock-okta serve --port 0 --token TOKEN ARGS`; yields its URL, stops it afterwards."""
    with ServedMock(args, token, timeout) as server:
        yield server.url
