"""What a failed PBKDF2 sign-in costs the server, with the diagnosis's time budget and without.

    .venv/bin/python benchmarks/bench_diagnosis.py                       # 870,000 and 2,000,000
    .venv/bin/python benchmarks/bench_diagnosis.py --iterations 4096,1000000 --rounds 3

Side by side in one run, per iteration count: a right password (one derivation, the floor), and a
wrong one as the server diagnoses it now (the sign-in's check, then `diagnose` within its 0.5 s
budget) and as it did before the budget (the check, then `examine` re-checking and deriving every
reading). Ratios are to the right password's cost.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import statistics
import time
from collections.abc import Callable

from mock_okta.diagnosis import diagnose, examine
from mock_okta.hashing import PasswordHash, parse_hash, verify

PASSWORD = "Correct-Horse-7"
WRONG = "Wrong-Horse-7"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", default="870000,2000000")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    print(f"{'iterations':>10}  {'right':>8}  {'wrong, budget':>14}  {'wrong, before':>14}")
    for iterations in (int(n) for n in args.iterations.split(",")):
        h = _hash(iterations)
        right, now, before = [], [], []
        for _ in range(args.rounds):
            right.append(_timed(verify, PASSWORD, h))
            now.append(_timed(verify, WRONG, h) + _timed(diagnose, WRONG, h))
            before.append(_timed(verify, WRONG, h) + _timed(examine, WRONG, h, budget=1e9))
        r, n, b = (statistics.median(x) for x in (right, now, before))
        print(f"{iterations:>10}  {r:>7.2f}s  {n:>7.2f}s {n / r:>5.1f}x  {b:>7.2f}s {b / r:>5.1f}x")


def _hash(iterations: int) -> PasswordHash:
    salt = b"bench-diagnosis-salt"
    key = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), salt, iterations, 32)
    return parse_hash(
        {
            "algorithm": "PBKDF2",
            "iterationCount": iterations,
            "keySize": 32,
            "digestAlgorithm": "SHA256_HMAC",
            "salt": base64.b64encode(salt).decode(),
            "value": base64.b64encode(key).decode(),
        }
    )


def _timed(work: Callable[..., object], *args: object, **kwargs: object) -> float:
    start = time.perf_counter()
    work(*args, **kwargs)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
