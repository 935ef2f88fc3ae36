"""`mock-okta plan`: how long a migration takes under Okta's rate limits, for each strategy.

Sequential, parallel (waiting for X-Rate-Limit-Reset, or retrying a 429 at once), adaptive to
X-Rate-Limit-Remaining, premigrate-then-delta, and import hook (no hashes at all), projected by
`timing_model` without a server. With `--groups`/`--memberships` (or `--dataset DIR`), the
group creates and the membership calls beyond the 20 groupIds a create takes are counted in
their own buckets, after the users or alongside them. Prints a table; `--out DIR` also writes
plan.json, plan.png and plan.html (the same chart as inline SVG, nothing fetched; both drawn
from `plan_chart.layout`).
"""

from __future__ import annotations

import argparse
import html
import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from mock_okta.config import ConfigError, parse_limits
from mock_okta.ratelimit import (
    BUCKETS,
    CONCURRENCY,
    PROFILES,
    WINDOW_SECONDS,
    bucket_for,
    limits_for,
    share_of,
)
from mock_okta.tools.timing_model import (
    SECOND,
    Call,
    Client,
    Curve,
    Outcome,
    Scenario,
    simulate,
)

SCHEMA: Final = "mock-okta.plan/1"

# call kind -> the request it makes; its bucket is the one mock_okta.ratelimit counts it against
# PARITY: Okta's tables do not list lifecycle/*; the mock counts them with users.update.
CALL_KINDS: Final[Mapping[str, tuple[str, str]]] = {
    "create": ("POST", "/api/v1/users"),
    "lookup": ("GET", "/api/v1/users"),
    "activate": ("POST", "/api/v1/users/{id}/lifecycle/activate"),
    "deactivate": ("POST", "/api/v1/users/{id}/lifecycle/deactivate"),
    "delete": ("DELETE", "/api/v1/users/{id}"),
    "update": ("POST", "/api/v1/users/{id}"),
    "get": ("GET", "/api/v1/users/{id}"),
    "group": ("POST", "/api/v1/groups"),
    "membership": ("PUT", "/api/v1/groups/{gid}/users/{id}"),
    "schema": ("POST", "/api/v1/meta/schemas/user/default"),
}
MAX_GROUP_IDS: Final = 20  # groupIds a create takes (SPEC Users tag); the rest are memberships
# What a delete-and-recreate loses with the user (the seed thread's warning, reference.md §7.3).
RECREATE_DESTROYS: Final = "ids, memberships, app assignments of changed users"


class UsageError(ValueError):
    """A command-line value that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class PlannedCall:
    name: str
    method: str
    path: str
    bucket: str | None


@dataclass(frozen=True, slots=True)
class Inputs:
    users: int
    calls: tuple[PlannedCall, ...]
    delta_calls: tuple[PlannedCall, ...]
    limits: Mapping[str, int]  # per minute, by bucket; a bucket not here is unlimited
    concurrency: int | None
    workers: int
    latency_ms: float
    retry_ms: float = 0.0
    changed: float = 0.05  # share of users changed between premigration and go-live
    profile: str = "workforce"
    groups: int = 0  # legacy groups created before the users
    memberships: int = 0  # membership calls: groups beyond the 20 groupIds of each create
    tokens: int = 1  # API tokens the tool spreads its requests over
    token_share: int = 50  # percent of a bucket one token may use (Okta's default: 50)

    @property
    def changed_users(self) -> int:
        return math.ceil(round(self.users * self.changed, 9))

    def effective(self, limit: int) -> int:
        """What the tokens together may use of an org-wide `limit`: never more than the org."""
        return min(limit, self.tokens * share_of(limit, self.token_share))

    @property
    def effective_limits(self) -> dict[str, int]:
        """Per minute, by bucket, for this many tokens at this share."""
        return {bucket: self.effective(limit) for bucket, limit in self.limits.items()}

    @property
    def effective_concurrency(self) -> int | None:
        return None if self.concurrency is None else self.effective(self.concurrency)


@dataclass(frozen=True, slots=True)
class Strategy:
    key: str
    label: str
    workers: int
    duration_s: float
    requests: int
    rejected: int  # 429s of both kinds
    outage_s: float
    series: tuple[tuple[float, int], ...]  # (seconds, users migrated)
    hook_calls: int = 0
    premigration_s: float | None = None
    delta_s: float | None = None
    destroys: str = ""  # what the strategy loses of a user's identity; "": nothing
    steps: tuple[Phase, ...] = ()  # what happens when; empty: one import phase, all outage
    curve: Curve | None = field(default=None, compare=False)  # the import's users, exactly

    def users_over_time(self, points: int) -> tuple[tuple[float, int], ...]:
        """(seconds, users migrated) at `points` + 1 even times over the whole strategy, from
        the model's every completion (the coarse `series` without a curve)."""
        if self.curve is None:
            return self.series
        end = round(self.duration_s * SECOND)
        return tuple((t / SECOND, users) for t, users in self.curve.sample(end, points))

    @property
    def phases(self) -> tuple[Phase, ...]:
        """The strategy's phases in order, each with its length and whether logins are down."""
        return self.steps or (Phase("import", self.duration_s, self.outage_s > 0),)


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    seconds: float
    outage: bool  # customers cannot sign in (the legacy system is frozen, Okta not yet ready)


@dataclass(frozen=True, slots=True)
class Bound:
    name: str  # a bucket, or "latency"
    calls: int
    limit: int | None  # per minute; None for the latency bound
    seconds: float


@dataclass(frozen=True, slots=True)
class TokenRow:
    """The adaptive strategy with another number of tokens or another share."""

    tokens: int
    share: int
    limits: Mapping[str, int]  # per minute, by bucket, as those tokens may use them
    duration_s: float
    org_bound: bool  # every bucket at the org's own limit: more tokens cannot help


@dataclass(frozen=True, slots=True)
class Plan:
    inputs: Inputs
    bounds: tuple[Bound, ...]
    strategies: tuple[Strategy, ...]
    token_rows: tuple[TokenRow, ...] = ()


# ----- inputs


def planned_calls(text: str) -> tuple[PlannedCall, ...]:
    """`create,activate@users.collection`: call kinds, each optionally moved to another bucket."""
    calls = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, _, bucket = item.partition("@")
        if name not in CALL_KINDS:
            raise UsageError(f"unknown call {name!r}; use {', '.join(CALL_KINDS)}")
        method, path = CALL_KINDS[name]
        counted = bucket or bucket_for(method, path.format(id="00u1", gid="00g1"))
        calls.append(PlannedCall(name, method, path, counted))
    if not calls:
        raise UsageError("name at least one call, e.g. create")
    return tuple(calls)


def calls_per_user(count: int) -> str:
    """1: create (activated on create); 2: create, activate; 3+: then profile updates."""
    if count < 1:
        raise UsageError("--calls-per-user must be at least 1")
    return ",".join(["create", "activate", *["update"] * (count - 2)][:count])


def fraction(text: str) -> float:
    """`5%` or `0.05`."""
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise UsageError(f"--changed takes a share such as 5% or 0.05, not {text!r}") from None
    if not 0 <= value <= 1:
        raise UsageError(f"--changed must be between 0% and 100%, not {text!r}")
    return value


# ----- the plan


def _scenario(inputs: Inputs, calls: Sequence[PlannedCall], users: int) -> Scenario:
    return Scenario(
        users=users,
        calls=tuple(Call(c.name, c.bucket) for c in calls),
        limits=inputs.effective_limits,
        workers=inputs.workers,
        latency_us=round(inputs.latency_ms * 1000),
        concurrency=inputs.effective_concurrency,
        retry_pause_us=round(inputs.retry_ms * 1000),
        window_us=round(WINDOW_SECONDS * SECOND),
    )


def _series(outcome: Outcome, points: int = 200) -> tuple[tuple[float, int], ...]:
    raw = outcome.series
    step = max(1, math.ceil(len(raw) / points))
    kept = list(raw[::step])
    if kept[-1] != raw[-1]:
        kept.append(raw[-1])
    return tuple((t / SECOND, users) for t, users in kept)


def _run(
    key: str, label: str, scenario: Scenario, *, outage: bool = True, hook_calls: int = 0
) -> tuple[Strategy, Outcome]:
    outcome = simulate(scenario)
    workers = scenario.workers
    if scenario.client is Client.ADAPTIVE and scenario.concurrency is not None:
        workers = min(workers, scenario.concurrency)
    strategy = Strategy(
        key,
        label,
        workers,
        outcome.duration_s,
        outcome.requests,
        outcome.rejected + outcome.rejected_busy,
        outcome.duration_s if outage else 0.0,
        _series(outcome),
        hook_calls,
        curve=outcome.curve,
    )
    return strategy, outcome


def bounds(inputs: Inputs) -> tuple[Bound, ...]:
    """What each bucket alone, and latency with all workers busy, allow at best."""
    found = []
    limits = inputs.effective_limits
    for bucket in dict.fromkeys(c.bucket for c in inputs.calls if c.bucket in limits):
        assert bucket is not None
        limit = limits[bucket]
        calls = inputs.users * sum(1 for c in inputs.calls if c.bucket == bucket)
        windows = max(math.ceil(calls / limit) - 1, 0)
        found.append(Bound(bucket, calls, limit, windows * WINDOW_SECONDS))
    for kind, calls in (("group", inputs.groups), ("membership", inputs.memberships)):
        named = planned_calls(kind)[0].bucket
        if calls and named is not None and named in limits:
            windows = max(math.ceil(calls / limits[named]) - 1, 0)
            found.append(Bound(named, calls, limits[named], windows * WINDOW_SECONDS))
    total = inputs.users * len(inputs.calls)
    parallel = min(inputs.workers, inputs.effective_concurrency or inputs.workers)
    latency = math.ceil(total / parallel) * inputs.latency_ms / 1000
    found.append(Bound("latency", total, None, latency))
    return tuple(sorted(found, key=lambda b: -b.seconds))


def make_plan(inputs: Inputs) -> Plan:
    """Every strategy for `inputs`; pure."""
    base = _scenario(inputs, inputs.calls, inputs.users)
    w = inputs.workers
    sequential, _ = _run(
        "sequential", "sequential, waits for X-Rate-Limit-Reset", replace(base, workers=1)
    )
    parallel, _ = _run("parallel", f"{w} workers, wait for X-Rate-Limit-Reset", base)
    naive, _ = _run(
        "parallel-naive",
        f"{w} workers, retry a 429 at once",
        replace(base, client=Client.RETRY_AT_ONCE),
    )
    paced = min(w, inputs.concurrency or w)  # the adaptive client knows the concurrency limit
    adaptive, premigration = _run(
        "adaptive",
        f"{paced} workers, paced by X-Rate-Limit-Remaining",
        replace(base, client=Client.ADAPTIVE),
    )
    delta_users = inputs.changed_users
    delta = simulate(
        replace(_scenario(inputs, inputs.delta_calls, delta_users), client=Client.ADAPTIVE)
    )
    # What the reference migrator does: users wait STAGED, so a changed hash is one update;
    # but every user must then be activated at go-live, and that is part of the outage.
    staged_delta = simulate(
        replace(_scenario(inputs, planned_calls("update"), delta_users), client=Client.ADAPTIVE)
    )
    activation = simulate(
        replace(_scenario(inputs, planned_calls("activate"), inputs.users), client=Client.ADAPTIVE)
    )
    go_live = staged_delta.duration_s + activation.duration_s
    staged = Strategy(
        "premigrate-staged",
        f"premigrate STAGED; go-live: {_share(inputs.changed)} updates + activate all",
        adaptive.workers,
        premigration.duration_s + go_live,
        premigration.requests + staged_delta.requests + activation.requests,
        adaptive.rejected + staged_delta.rejected + activation.rejected,
        go_live,
        (*adaptive.series, (premigration.duration_s + go_live, inputs.users)),
        premigration_s=premigration.duration_s,
        delta_s=go_live,
        steps=(
            Phase("premigrate (STAGED)", premigration.duration_s, False),
            Phase(f"go-live: {_share(inputs.changed)} updates", staged_delta.duration_s, True),
            Phase("go-live: activate all", activation.duration_s, True),
        ),
        curve=adaptive.curve,
    )
    premigrate = Strategy(
        "premigrate-delta",
        f"premigrate, then {_share(inputs.changed)} delta at go-live",
        adaptive.workers,
        premigration.duration_s + delta.duration_s,
        premigration.requests + delta.requests,
        adaptive.rejected + delta.rejected + delta.rejected_busy,
        delta.duration_s,
        (*adaptive.series, (premigration.duration_s + delta.duration_s, inputs.users)),
        premigration_s=premigration.duration_s,
        delta_s=delta.duration_s,
        destroys=RECREATE_DESTROYS if any(c.name == "delete" for c in inputs.delta_calls) else "",
        steps=(
            Phase("premigrate (ACTIVE)", premigration.duration_s, False),
            Phase(f"go-live: {_share(inputs.changed)} delta", delta.duration_s, True),
        ),
        curve=adaptive.curve,
    )
    # ACTIVE with hashes from the start; at go-live each changed user is pointed at the
    # password import hook (one update, allowed on any status since 2023.06): nobody waits,
    # and each of them calls the hook once at its next sign-in.
    hook_delta = staged_delta  # the same one update per changed user
    premigrate_hook = Strategy(
        "premigrate-hook",
        f"premigrate ACTIVE with hashes; go-live: hook for {_share(inputs.changed)} changed",
        adaptive.workers,
        premigration.duration_s + hook_delta.duration_s,
        premigration.requests + hook_delta.requests,
        adaptive.rejected + hook_delta.rejected + hook_delta.rejected_busy,
        0.0,
        (*adaptive.series, (premigration.duration_s + hook_delta.duration_s, inputs.users)),
        hook_calls=delta_users,
        premigration_s=premigration.duration_s,
        delta_s=hook_delta.duration_s,
        steps=(
            Phase("premigrate (ACTIVE)", premigration.duration_s, False),
            Phase(f"go-live: hook for {_share(inputs.changed)}", hook_delta.duration_s, False),
        ),
        curve=adaptive.curve,
    )
    hook = replace(
        adaptive,
        key="import-hook",
        label="import hook: no hashes, passwords at first login",
        outage_s=0.0,
        hook_calls=inputs.users,
        steps=(Phase("import (no hashes; logins work)", adaptive.duration_s, False),),
    )
    strategies: tuple[Strategy, ...] = (
        sequential,
        parallel,
        naive,
        adaptive,
        staged,
        premigrate,
        premigrate_hook,
        hook,
    )
    if inputs.groups or inputs.memberships:
        strategies += _directory(inputs, adaptive)
    return Plan(inputs, bounds(inputs), strategies, token_rows(inputs))


def token_rows(inputs: Inputs) -> tuple[TokenRow, ...]:
    """The adaptive import with 1, 2 and 3 tokens at the share, one at 100 %, and the inputs'."""
    variants = dict.fromkeys(
        [(1, inputs.token_share), (2, inputs.token_share), (3, inputs.token_share), (1, 100)]
    )
    variants[(inputs.tokens, inputs.token_share)] = None
    rows = []
    used = {c.bucket for c in inputs.calls if c.bucket in inputs.limits}
    for tokens, share in sorted(variants, key=lambda v: (v[0] * v[1], v[1])):
        variant = replace(inputs, tokens=tokens, token_share=share)
        outcome = simulate(
            replace(_scenario(variant, variant.calls, variant.users), client=Client.ADAPTIVE)
        )
        limits = {b: n for b, n in variant.effective_limits.items() if b in used}
        at_org = all(limits[b] == inputs.limits[b] for b in limits)
        rows.append(TokenRow(tokens, share, limits, outcome.duration_s, at_org and bool(limits)))
    return tuple(rows)


def _one_call(inputs: Inputs, kind: str, count: int) -> Outcome:
    scenario = _scenario(inputs, planned_calls(kind), count)
    return simulate(replace(scenario, client=Client.ADAPTIVE))


def _directory(inputs: Inputs, adaptive: Strategy) -> tuple[Strategy, Strategy]:
    """The adaptive import with the groups created first and the memberships beyond the 20
    groupIds of a create: after the users, or alongside the creates (as `mock-okta migrate`)."""
    setup = _one_call(inputs, "group", inputs.groups)
    joins = _one_call(inputs, "membership", inputs.memberships)
    shifted = tuple((t + setup.duration_s, u) for t, u in adaptive.series)
    after_s = setup.duration_s + adaptive.duration_s + joins.duration_s
    # Separate buckets: memberships sent alongside the creates end with the later of the two.
    along_s = setup.duration_s + max(adaptive.duration_s, joins.duration_s)
    extra = setup.requests + joins.requests
    rejected = adaptive.rejected + setup.rejected + joins.rejected
    label = f"{inputs.groups:,} groups first, {inputs.memberships:,} memberships"
    return (
        Strategy(
            "groups-after",
            f"adaptive; {label} after the users",
            adaptive.workers,
            after_s,
            adaptive.requests + extra,
            rejected,
            after_s,
            (*shifted, (after_s, inputs.users)),
            steps=(
                Phase("groups", setup.duration_s, True),
                Phase("import", adaptive.duration_s, True),
                Phase("memberships", joins.duration_s, True),
            ),
        ),
        Strategy(
            "groups-alongside",
            f"adaptive; {label} alongside the creates",
            adaptive.workers,
            along_s,
            adaptive.requests + extra,
            rejected,
            along_s,
            (*shifted, (along_s, inputs.users)),
            steps=(
                Phase("groups", setup.duration_s, True),
                Phase("import + memberships", along_s - setup.duration_s, True),
            ),
        ),
    )


# ----- output


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.3g} s" if seconds < 10 else f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def per_user(calls: int) -> str:
    return f"{calls} call{'s' if calls != 1 else ''} per user"


def _share(value: float) -> str:
    return f"{value * 100:.4g}%"


def _describe_call(call: PlannedCall, inputs: Inputs) -> str:
    limit = inputs.limits.get(call.bucket) if call.bucket else None
    rate = (
        f"{limit}/min, {inputs.effective(limit)} for the tokens"
        if limit is not None
        else "no limit"
    )
    return f"{call.name} → {call.bucket or 'unlimited'} ({call.method} {call.path}, {rate})"


def _moved(call: PlannedCall, bucket: str) -> str:
    return call.name if call.bucket == bucket else f"{call.name}@{bucket}"


def notes(plan: Plan) -> list[str]:
    """The table's footnotes: what was assumed and why the numbers come out as they do."""
    i = plan.inputs
    first = "Buckets, as mock_okta.ratelimit counts them (NAME@BUCKET moves one): "
    first += "; ".join(_describe_call(c, i) for c in i.calls) + "."
    if any("/lifecycle/" in c.path for c in i.calls):
        first += (
            " Okta's tables do not list lifecycle/* calls; they count with the user's update"
            " bucket, as in the mock."
        )
    out = [first]
    limited = [b for b in plan.bounds if b.limit is not None]
    top = plan.bounds[0]
    line = "Bounds: " + "; ".join(
        f"{b.name} {b.calls:,} calls at {b.limit}/min → at least {duration(b.seconds)}"
        if b.limit is not None
        else f"{b.calls:,} calls × {i.latency_ms:g} ms over"
        f" {min(i.workers, i.concurrency or i.workers)} in flight → {duration(b.seconds)}"
        for b in plan.bounds
    )
    out.append(f"{line}. The run is {top.name}-bound.")
    buckets = {c.bucket for c in i.calls}
    if len(i.calls) > 1 and len(buckets) > 1 and limited:
        out.append(
            f"The {len(i.calls)} calls per user count against different buckets, each limited"
            " separately, so the busiest bucket bounds the run. If they all counted against"
            f" one bucket it would take about {len(i.calls)}× as long (e.g. --calls"
            f" {','.join(_moved(c, limited[0].name) for c in i.calls)})."
        )
    out.append(
        f"Tokens: Okta lets one API token use {i.token_share} % of a bucket"
        f"{' (its default)' if i.token_share == 50 else ''}, so the tool's"
        f" {_tokens(i.tokens, i.token_share)} get{'s' if i.tokens == 1 else ''} the per-minute"
        " limits above; a second token, or a principal rate limit of 100 % for one, doubles"
        " them up to the org's own limit, and more tokens add nothing past it (--tokens,"
        " --token-share)."
    )
    out.append(
        "Windows are per token and org-wide, so more workers do not help once a bucket is the"
        " bottleneck: each waits for the next window. Requests include 429s; a client that"
        " retries a 429"
        f" at once (every {max(i.latency_ms + i.retry_ms, 1):g} ms here) racks them up, one"
        " that waits for X-Rate-Limit-Reset gets one per worker per window, and one that"
        " reads X-Rate-Limit-Remaining gets none."
    )
    premigrate = next(s for s in plan.strategies if s.key == "premigrate-delta")
    delta = ", ".join(c.name for c in i.delta_calls)
    out.append(
        f"Premigrate: the bulk import runs before go-live"
        f" ({duration(premigrate.premigration_s or 0)}, no outage); at go-live the"
        f" {i.changed_users:,} users changed since ({_share(i.changed)}) get {delta}"
        f" ({duration(premigrate.delta_s or 0)}): the outage is that delta alone. Okta takes a"
        " hash only on create or while STAGED, so an ACTIVE user's new password means delete"
        " and re-create — which gives the user a new id and loses its memberships and app"
        " assignments (set --delta-calls update for hash updates of STAGED users)."
    )
    hooked = next(s for s in plan.strategies if s.key == "premigrate-hook")
    out.append(
        "Premigrate ACTIVE, then the hook (what `mock-okta migrate --mode import`, then"
        " `--mode delta`, does): since 2023.06 Okta takes the password import hook on a user in"
        f" any status, so at go-live the {i.changed_users:,} changed users get one update each"
        f" ({duration(hooked.delta_s or 0)}) while everyone keeps signing in: no outage, ids,"
        f" memberships and apps kept; each of them calls your hook once at its next sign-in"
        f" ({hooked.hook_calls:,} calls, outside these limits), with `mock-okta hook-server`"
        " serving the later dataset in a rehearsal."
    )
    staged = next(s for s in plan.strategies if s.key == "premigrate-staged")
    out.append(
        "Premigrate STAGED (what `mock-okta migrate --mode premigrate/delta/cutover` does):"
        " changed hashes are updated in place while users are STAGED, ids never change, but"
        f" every user is activated at go-live: that outage is {duration(staged.outage_s)}."
    )
    if i.groups or i.memberships:
        adaptive = next(s for s in plan.strategies if s.key == "adaptive")
        after = next(s for s in plan.strategies if s.key == "groups-after")
        along = next(s for s in plan.strategies if s.key == "groups-alongside")
        group, member = planned_calls("group")[0], planned_calls("membership")[0]

        def more(s: Strategy) -> str:
            added = s.duration_s - adaptive.duration_s
            share = f" (+{added / adaptive.duration_s:.1%})" if adaptive.duration_s else ""
            return f"{duration(added)}{share}"

        out.append(
            f"Groups: {i.groups:,} group creates ({_describe_call(group, i)}) and"
            f" {i.memberships:,} membership calls ({_describe_call(member, i)}) for the"
            f" groups beyond the {MAX_GROUP_IDS} groupIds a create takes. After the users they"
            f" add {more(after)} to the adaptive {duration(adaptive.duration_s)}; alongside the"
            f" creates, in their own bucket, {more(along)}."
        )
    out.append(
        "Import hook: users are created with credentials.password.hook instead of a hash; each"
        f" first sign-in calls your hook ({i.users:,} calls to your endpoint, outside these"
        " limits), so there is no cutover outage, but the legacy store stays up until every"
        " user has signed in once or been reset."
    )
    return out


def _tokens(tokens: int, share: int) -> str:
    return f"{tokens} token{'s' if tokens != 1 else ''} at {share} %"


def render_tokens(plan: Plan) -> list[str]:
    """The table's token rows: what a second token, or a share of 100 %, changes."""
    if not plan.token_rows:
        return []
    rows = [("tokens (paced by X-Rate-Limit-Remaining)", "per minute", "duration")]
    for row in plan.token_rows:
        limits = ", ".join(f"{b} {n}" for b, n in row.limits.items()) or "no limit"
        rows.append(
            (
                _tokens(row.tokens, row.share),
                limits + (" (the org's limit)" if row.org_bound else ""),
                duration(row.duration_s),
            )
        )
    widths = [max(len(r[k]) for r in rows) for k in range(3)]
    return [
        f"{r[0].ljust(widths[0])}  {r[1].ljust(widths[1])}  {r[2].rjust(widths[2])}" for r in rows
    ]


def render_table(plan: Plan) -> str:
    i = plan.inputs
    used = dict.fromkeys(c.bucket for c in (*i.calls, *i.delta_calls) if c.bucket in i.limits)
    effective = i.effective_limits
    limits = ", ".join(
        f"{b} {i.limits[b or '']}/min ({effective[b or '']} for {_tokens(i.tokens, i.token_share)})"
        for b in used
    )
    limits = limits or "no per-minute limits"
    concurrency = (
        f"concurrency {i.concurrency} ({i.effective_concurrency} for the tokens)"
        if i.concurrency
        else "no concurrency limit"
    )
    head = (
        f"mock-okta plan: {i.users:,} users × {per_user(len(i.calls))}"
        f" ({', '.join(c.name for c in i.calls)}); {limits}; {concurrency};"
        f" {i.workers} workers; {i.latency_ms:g} ms a request"
    )
    rows = [("strategy", "workers", "duration", "requests", "429s", "outage", "destroys")]
    for s in plan.strategies:
        requests = f"{s.requests:,}" + (f" +{s.hook_calls:,} hook" if s.hook_calls else "")
        rows.append(
            (
                s.label,
                str(s.workers),
                duration(s.duration_s),
                requests,
                f"{s.rejected:,}",
                duration(s.outage_s) if s.outage_s else "none",
                s.destroys or "nothing",
            )
        )
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    lines = [head, ""]
    for row in rows:
        cells = [
            row[0].ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(row[1:-1], widths[1:-1], strict=True)),
            row[-1],
        ]
        lines.append("  ".join(cells).rstrip())
    lines.append("")
    if plan.token_rows:
        lines += [*render_tokens(plan), ""]
    lines += [f"{n}. {text}" for n, text in enumerate(notes(plan), start=1)]
    return "\n".join(lines)


def to_json(plan: Plan) -> dict[str, object]:
    i = plan.inputs

    def calls(items: Sequence[PlannedCall]) -> list[dict[str, object]]:
        return [
            {"name": c.name, "method": c.method, "path": c.path, "bucket": c.bucket} for c in items
        ]

    return {
        "schema": SCHEMA,
        "inputs": {
            "users": i.users,
            "calls": calls(i.calls),
            "delta_calls": calls(i.delta_calls),
            "limits_per_minute": dict(i.limits),
            "concurrency": i.concurrency,
            "workers": i.workers,
            "latency_ms": i.latency_ms,
            "retry_ms": i.retry_ms,
            "changed": i.changed,
            "changed_users": i.changed_users,
            "profile": i.profile,
            "groups": i.groups,
            "memberships": i.memberships,
            "tokens": i.tokens,
            "token_share": i.token_share,
            "effective_limits_per_minute": i.effective_limits,
            "effective_concurrency": i.effective_concurrency,
        },
        "token_rows": [
            {
                "tokens": r.tokens,
                "share": r.share,
                "limits_per_minute": dict(r.limits),
                "duration_s": r.duration_s,
                "org_bound": r.org_bound,
            }
            for r in plan.token_rows
        ],
        "bounds": [
            {"name": b.name, "calls": b.calls, "limit_per_minute": b.limit, "seconds": b.seconds}
            for b in plan.bounds
        ],
        "strategies": [
            {
                "key": s.key,
                "label": s.label,
                "workers": s.workers,
                "duration_s": s.duration_s,
                "requests": s.requests,
                "rejected": s.rejected,
                "outage_s": s.outage_s,
                "hook_calls": s.hook_calls,
                "premigration_s": s.premigration_s,
                "delta_s": s.delta_s,
                "destroys": s.destroys or None,
                "phases": [
                    {"name": p.name, "seconds": p.seconds, "outage": p.outage} for p in s.phases
                ],
                "series": [[t, u] for t, u in s.series],
            }
            for s in plan.strategies
        ],
        "notes": notes(plan),
    }


def write_png(plan: Plan, path: Path) -> None:
    """Each strategy's phases on one time axis (outage in red), and its cost in requests and
    429s on a log scale (matplotlib, Agg)."""
    chart(plan).savefig(path, dpi=110)


def chart(plan: Plan) -> Any:  # a matplotlib Figure (imported late: the `load` extra)
    """The PNG's matplotlib Figure."""
    from mock_okta.tools import plan_chart  # it imports this module

    return plan_chart.figure(plan_chart.layout(plan))


def render_svg(plan: Plan) -> str:
    """The PNG's chart as inline SVG, from the same layout."""
    from mock_okta.tools import plan_chart

    return plan_chart.svg(plan_chart.layout(plan))


def render_html(plan: Plan) -> str:
    """A page that needs nothing else: the table, the chart (inline SVG) and the notes."""
    e = html.escape
    head = ("strategy", "workers", "duration", "requests", "429s", "outage", "destroys")
    rows = "\n".join(
        "<tr>"
        + "".join(
            f"<td>{e(cell)}</td>"
            for cell in (
                s.label,
                str(s.workers),
                duration(s.duration_s),
                f"{s.requests:,}" + (f" +{s.hook_calls:,} hook" if s.hook_calls else ""),
                f"{s.rejected:,}",
                duration(s.outage_s) if s.outage_s else "none",
                s.destroys or "nothing",
            )
        )
        + "</tr>"
        for s in plan.strategies
    )
    items = "\n".join(f"<li>{e(text)}</li>" for text in notes(plan))
    header = "".join(f"<th>{h}</th>" for h in head)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mock-okta plan</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 84em; }}
table {{ border-collapse: collapse; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 4px 10px; }}
td:not(:first-child) {{ text-align: right; }}
</style></head>
<body>
<h1>Migration plan</h1>
<p>{e(render_table(plan).splitlines()[0])}</p>
<table><thead><tr>{header}</tr></thead>
<tbody>
{rows}
</tbody></table>
{render_svg(plan)}
<ol>
{items}
</ol>
</body></html>
"""


def write_outputs(plan: Plan, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "plan.json", out / "plan.html", out / "plan.png"]
    paths[0].write_text(json.dumps(to_json(plan), indent=2) + "\n")
    paths[1].write_text(render_html(plan))
    write_png(plan, paths[2])
    return paths


# ----- command line


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mock-okta plan",
        description="Project a migration's duration, requests, 429s and outage per strategy.",
        epilog="example: mock-okta plan --users 250000 (workforce: 600 creates a minute, 300"
        " for one token)",
    )
    p.add_argument("--users", type=int, help="customers to migrate (or from --dataset)")
    p.add_argument(
        "--groups", type=int, default=None, metavar="N", help="legacy groups created first"
    )
    p.add_argument(
        "--memberships",
        type=int,
        default=None,
        metavar="N",
        help="membership calls: every user's groups beyond the 20 groupIds of its create",
    )
    p.add_argument(
        "--dataset",
        type=Path,
        metavar="DIR",
        help="take --users, --groups and --memberships from a mock-okta dataset",
    )
    calls = p.add_mutually_exclusive_group()
    calls.add_argument(
        "--calls-per-user",
        type=int,
        metavar="N",
        help="1: create (default); 2: create, activate; 3+: and profile updates",
    )
    calls.add_argument(
        "--calls",
        metavar="LIST",
        help=f"calls per user, in order, from {', '.join(CALL_KINDS)}; NAME@BUCKET counts one"
        " against another bucket (e.g. create,activate@users.collection)",
    )
    p.add_argument(
        "--delta-calls",
        metavar="LIST",
        help="calls per changed user at go-live (default: deactivate, delete, then --calls)",
    )
    p.add_argument(
        "--rate-limits",
        default="workforce",
        choices=sorted(PROFILES),
        help="Okta's per-minute defaults for a plan (default workforce)",
    )
    p.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="BUCKET=N",
        help="per-minute limit for one bucket, e.g. users.collection=300 (repeatable)",
    )
    p.add_argument("--concurrency-limit", type=int, help="org-wide requests in flight")
    p.add_argument(
        "--tokens", type=int, default=1, help="API tokens the tool spreads its calls over (1)"
    )
    p.add_argument(
        "--token-share",
        type=int,
        default=50,
        metavar="P",
        help="percent of a bucket one token may use (default 50, Okta's; a principal rate limit"
        " can set 100)",
    )
    p.add_argument("--workers", type=int, default=10, help="client workers (default 10)")
    p.add_argument("--latency-ms", type=float, default=100.0, help="per request (default 100)")
    p.add_argument(
        "--retry-ms",
        type=float,
        default=0.0,
        help="pause of the naive client between a 429 and its retry (default 0)",
    )
    p.add_argument(
        "--changed",
        default="5%",
        help="users changed between premigration and go-live (default 5%%)",
    )
    p.add_argument("--out", type=Path, help="write plan.json, plan.png and plan.html here")
    p.add_argument("--json", action="store_true", help="print the JSON instead of the table")
    return p


def dataset_counts(directory: Path) -> tuple[int, int, int]:
    """Users, legacy groups, and membership calls beyond 20 groupIds, of a dataset."""
    from mock_okta.tools.records import read_users

    try:
        users = groups = memberships = 0
        names: set[str] = set()
        for user in read_users(directory):
            users += 1
            names.update(user.groups or ())
            memberships += max(len(user.groups or ()) - MAX_GROUP_IDS, 0)
        groups = len(names)
    except (OSError, ValueError, KeyError) as exc:
        raise UsageError(f"--dataset {directory}: not a mock-okta dataset ({exc})") from None
    return users, groups, memberships


def inputs_from(args: argparse.Namespace) -> Inputs:
    if args.dataset is not None:
        users, groups, memberships = dataset_counts(args.dataset)
        args.users = users if args.users is None else args.users
        args.groups = groups if args.groups is None else args.groups
        args.memberships = memberships if args.memberships is None else args.memberships
    if args.users is None:
        raise UsageError("--users N (or --dataset DIR) is required")
    if args.users < 0 or (args.groups or 0) < 0 or (args.memberships or 0) < 0:
        raise UsageError("--users, --groups and --memberships must be 0 or more")
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.latency_ms < 0 or args.retry_ms < 0:
        raise UsageError("--latency-ms and --retry-ms must be 0 or more")
    if args.tokens < 1 or not 1 <= args.token_share <= 100:
        raise UsageError("--tokens must be at least 1 and --token-share from 1 to 100")
    call_text = args.calls or calls_per_user(args.calls_per_user or 1)
    calls = planned_calls(call_text)
    delta = planned_calls(args.delta_calls or f"deactivate,delete,{call_text}")
    try:
        overrides = parse_limits(args.limit)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    named = {*BUCKETS, CONCURRENCY, *(c.bucket for c in (*calls, *delta))}
    if unknown := sorted(set(overrides) - named):
        raise UsageError(
            f"--limit names no bucket a call counts against: {', '.join(unknown)};"
            f" buckets: {', '.join(BUCKETS)}"
        )
    limits = limits_for(args.rate_limits, overrides)
    concurrency = limits.pop(CONCURRENCY, None)
    if args.concurrency_limit is not None:
        concurrency = args.concurrency_limit
    if concurrency is not None and concurrency < 1:
        raise UsageError("--concurrency-limit must be at least 1")
    if any(n < 1 for n in limits.values()):
        raise UsageError("every --limit must be at least 1 a minute")
    return Inputs(
        users=args.users,
        calls=calls,
        delta_calls=delta,
        limits=limits,
        concurrency=concurrency,
        workers=args.workers,
        latency_ms=args.latency_ms,
        retry_ms=args.retry_ms,
        changed=fraction(args.changed),
        profile=args.rate_limits,
        groups=args.groups or 0,
        memberships=args.memberships or 0,
        tokens=args.tokens,
        token_share=args.token_share,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        plan = make_plan(inputs_from(args))
        written = write_outputs(plan, args.out) if args.out else []
    except UsageError as exc:
        parser.error(str(exc))
    if args.json:
        print(json.dumps(to_json(plan), indent=2))
    else:
        print(render_table(plan))
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
