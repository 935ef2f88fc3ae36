"""locust.html charts one point a second (issue 16, item 15: a short rehearsal's had three)."""

from __future__ import annotations

import subprocess
import sys

from tests.load.conftest import needs_locust

needs_locust()

# In a process of its own: importing Locust monkey-patches the standard library (gevent).
CHECK = """
import inspect
import locust.stats
from mock_okta.load import options
locust.stats.HISTORY_STATS_INTERVAL_SEC = 5
options.sample_history_every_second(environment=None)
print(locust.stats.HISTORY_STATS_INTERVAL_SEC)
# Locust's history greenlet reads the module's value at every sample, so setting it at init
# is enough; a Locust that stopped doing so would make the setting moot.
print("gevent.sleep(HISTORY_STATS_INTERVAL_SEC)" in inspect.getsource(locust.stats))
"""


def test_the_history_is_sampled_every_second() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "True"]
