"""What a scenario's run looked like, read from the journal: facts for the report, not verdicts.

The `ratelimit` scenario's report says the limits it ran at, which tokens the tool used, the
429s it met, its pauses and its peak rate against the limit, so a pass is never silent about
what was (or was not) tested.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from mock_okta.ratelimit import CONCURRENCY, WINDOW_SECONDS, share_of

Json = Mapping[str, Any]
PLACEHOLDERS = ("{token}", "{token2}")
PAUSE_WINDOWS = 0.25  # a gap of a quarter of a rate-limit window or more is a pause


def _okta(seconds: float) -> str:
    return f"{seconds / 60:.1f} Okta-minutes" if seconds >= 120 else f"{seconds:.0f} s"


def tool_entries(entries: Sequence[Json], token_ids: Sequence[str]) -> list[Json]:
    """The tool's own requests (its tokens'), oldest first; the harness's sign-ins are not."""
    ours = set(token_ids)
    return sorted((e for e in entries if e.get("token") in ours), key=lambda e: e["seq"])


def limits_fact(limits: Mapping[str, int], share: int, time_scale: float) -> str:
    parts = []
    for bucket, limit in limits.items():
        unit = "" if bucket == CONCURRENCY else "/min"
        per = share_of(limit, share)
        parts.append(f"{bucket} {limit}{unit} org-wide, {per}{unit} per token")
    window = WINDOW_SECONDS / time_scale
    return (
        f"{'; '.join(parts) or 'the profile'} (each token may use {share} %, Okta's default"
        f" share); {time_scale:g}x: a 60 s window lasts {window:g} s here"
    )


def tokens_fact(entries: Sequence[Json], token_ids: Sequence[str], share: int) -> str:
    counts = [sum(1 for e in entries if e.get("token") == t) for t in token_ids]
    named = ", ".join(f"{p} {n} requests" for p, n in zip(PLACEHOLDERS, counts, strict=False))
    if all(counts):
        return f"both used: {named}"
    unused = [p for p, n in zip(PLACEHOLDERS, counts, strict=False) if not n]
    return (
        f"{named}: {' and '.join(unused)} never used, so the tool had {share} % of each bucket;"
        " spread the calls over both tokens to go twice as fast"
    )


def limited_fact(entries: Sequence[Json]) -> str:
    refused = [e for e in entries if e["status"] == 429]
    busy = sum(1 for e in refused if (e.get("rateLimit") or {}).get("limit") == 0)
    if not refused:
        return "none: the tool stayed within X-Rate-Limit-Remaining (or never reached a limit)"
    return (
        f"{len(refused)}: {len(refused) - busy} of a token's share of a bucket, {busy} concurrency"
    )


def pauses_fact(entries: Sequence[Json], time_scale: float) -> str:
    """Gaps in the tool's requests of a quarter window or more, in real-Okta time."""
    threshold = PAUSE_WINDOWS * WINDOW_SECONDS / time_scale
    times = sorted(float(e["epoch"]) for e in entries)
    gaps = [b - a for a, b in itertools.pairwise(times) if b - a >= threshold]
    if not gaps:
        return f"none of {_okta(threshold * time_scale)} or more"
    total, longest = sum(gaps) * time_scale, max(gaps) * time_scale
    return (
        f"{len(gaps)} of {_okta(threshold * time_scale)} or more: {_okta(total)} in all,"
        f" the longest {_okta(longest)}"
    )


def peak_fact(entries: Sequence[Json], token_ids: Sequence[str]) -> str:
    """Per bucket and token: the most requests answered in one of its windows, and the limit."""
    windows: dict[tuple[str, str, int], int] = defaultdict(int)
    limits: dict[tuple[str, str], int] = {}
    for e in entries:
        rate = e.get("rateLimit") or {}
        if e["status"] == 429 or not e.get("bucket") or not rate.get("limit"):
            continue
        key = (str(e["bucket"]), str(e.get("token")))
        windows[(*key, int(rate["reset"]))] += 1
        limits[key] = int(rate["limit"])
    if not windows:
        return "no limited request answered"
    peaks: dict[tuple[str, str], int] = defaultdict(int)
    for (bucket, token, _reset), count in windows.items():
        peaks[(bucket, token)] = max(peaks[(bucket, token)], count)
    names = dict(zip(token_ids, PLACEHOLDERS, strict=False))
    order = {t: i for i, t in enumerate(token_ids)}
    parts = []
    for bucket in sorted({b for b, _t in peaks}):
        mine = sorted((t for b, t in peaks if b == bucket), key=lambda t: order.get(t, len(order)))
        per = [f"{names.get(t, t)} {peaks[(bucket, t)]} of {limits[(bucket, t)]}" for t in mine]
        parts.append(f"{bucket}: {', '.join(per)}")
    return "most requests answered in one window, against the limit: " + "; ".join(parts)


def rate_limit_facts(
    entries: Sequence[Json],
    token_ids: Sequence[str],
    *,
    limits: Mapping[str, int],
    share: int,
    time_scale: float,
) -> list[tuple[str, str]]:
    """The `ratelimit` scenario's facts, from the whole journal and the tool's token ids."""
    ours = tool_entries(entries, token_ids)
    return [
        ("ran at", limits_fact(limits, share, time_scale)),
        ("tokens", tokens_fact(ours, token_ids, share)),
        ("429s met", limited_fact(ours)),
        ("pauses", pauses_fact(ours, time_scale)),
        ("peak rate", peak_fact(ours, token_ids)),
    ]


def _rule_text(rule: Json) -> str:
    what = (
        "dropped connections"
        if rule.get("drop")
        else f"{rule['latencyMs']} ms latency"
        if rule.get("latencyMs")
        else f"{rule['status']}s"
    )
    share = f"{rule['probability'] * 100:g}%" if "probability" in rule else "the next"
    return f"{what} on {share} of {rule.get('method', '*')} {rule['path']}"


def fault_facts(rules: Sequence[Json], entries: Sequence[Json]) -> list[tuple[str, str]]:
    """What the `faults` scenario injected, what the tool met, and how often it sent again.

    A failed request (an injected status or a dropped connection) counts as retried when the
    tool later sent the same method and path, for the same login where the journal has one (a
    dropped request's body is not kept), and that request was not itself failed."""
    met = [e for e in entries if e.get("fault")]
    kinds: dict[str, int] = defaultdict(int)
    for e in met:
        kinds[str(e["fault"]["kind"])] += 1
    failed = [e for e in met if e["fault"]["kind"] != "latency"]
    retried = 0
    for e in failed:
        login = e.get("login")
        if any(
            (later["method"], later["path"]) == (e["method"], e["path"])
            and (login is None or later.get("login") == login)
            and later["seq"] > e["seq"]
            and not (later.get("fault") and later["fault"]["kind"] != "latency")
            for later in entries
        ):
            retried += 1
    shown = ", ".join(f"{n} × {kind}" for kind, n in sorted(kinds.items())) or "none"
    facts = [
        ("injected", "; ".join(_rule_text(r) for r in rules) or "nothing"),
        ("faults met", f"{len(met)} of the tool's {len(entries)} requests: {shown}"),
    ]
    if failed:
        facts.append(
            (
                "the tool retried",
                f"{retried} of the {len(failed)} requests a fault failed, each until answered"
                if retried == len(failed)
                else f"{retried} of the {len(failed)} requests a fault failed"
                f" ({len(failed) - retried} never sent again)",
            )
        )
    else:
        facts.append(("the tool retried", "not tested: no request failed by a fault"))
    return facts
