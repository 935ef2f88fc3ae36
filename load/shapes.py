"""Traffic shapes as tables: `-f load/locustfile.py,load/shapes.py --shape go-live`.

Each stage holds until `until` seconds into the run; the shape ends after the last one (or
earlier, when a scenario has done every item). Users and spawn rates are totals across workers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, TypedDict

from locust import LoadTestShape, events
from locust.argument_parser import LocustArgumentParser


class Stage(TypedDict):
    until: float  # seconds since the start
    users: int
    spawn_rate: float


SHAPES: Final[Mapping[str, Sequence[Stage]]] = {
    # a migration tool's workers: a few, all at once, for as long as it takes
    "steady": [{"until": 86_400, "users": 10, "spawn_rate": 10}],
    # bulk import that adds workers in steps: shows that a used-up bucket does not go faster
    "import-steps": [
        {"until": 60, "users": 1, "spawn_rate": 1},
        {"until": 120, "users": 5, "spawn_rate": 5},
        {"until": 180, "users": 20, "spawn_rate": 20},
        {"until": 86_400, "users": 50, "spawn_rate": 50},
    ],
    # go-live morning: customers arrive, peak, and tail off
    "go-live": [
        {"until": 30, "users": 10, "spawn_rate": 5},
        {"until": 90, "users": 50, "spawn_rate": 10},
        {"until": 210, "users": 100, "spawn_rate": 20},
        {"until": 300, "users": 40, "spawn_rate": 20},
        {"until": 360, "users": 10, "spawn_rate": 10},
    ],
    # a quick look at each level, for CI
    "smoke": [
        {"until": 5, "users": 2, "spawn_rate": 2},
        {"until": 10, "users": 4, "spawn_rate": 4},
    ],
}


@events.init_command_line_parser.add_listener  # type: ignore[untyped-decorator]
def add_shape_option(parser: LocustArgumentParser) -> None:
    parser.add_argument(
        "--shape",
        env_var="MOCK_OKTA_SHAPE",
        choices=sorted(SHAPES),
        default="steady",
        help="the stage table TableShape follows (load/shapes.py; default steady)",
    )


class TableShape(LoadTestShape):
    """Follows one table of SHAPES, chosen with --shape."""

    def tick(self) -> tuple[int, float] | None:
        options = self.runner.environment.parsed_options if self.runner else None
        stages = SHAPES[getattr(options, "shape", None) or "steady"]
        run_time = self.get_run_time()
        for stage in stages:
            if run_time < stage["until"]:
                return stage["users"], stage["spawn_rate"]
        return None
