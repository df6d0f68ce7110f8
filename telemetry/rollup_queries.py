"""Reading the rollups: sums over a span of time, percentiles from their histograms.

Every figure of the dashboard, the user pages and the vitals comes from here: a period is a
few hundred hour rows (and up to 59 minute rows at its start), whatever the number of runs.
Each page first adds this process's pending runs (`flush_rollups`), so that one process is
always exact; other processes' runs arrive within ROLLUP_FLUSH_SECONDS.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet, Sum

from telemetry.histogram import BUCKETS, histogram_fields, quantile
from telemetry.models import RunRollup, UserRollup
from telemetry.rollups import AGENTS, DAY, HOUR, MINUTE, STATUSES, floor_to, flush_rollups

COUNTERS = (
    "runs",
    *STATUSES,
    "input_tokens",
    "output_tokens",
    "tool_calls",
    "ttft_count",
    "ttft_sum_ms",
    "total_sum_ms",
    *(f"{agent}_ms" for agent in AGENTS),
)
"""Every summable field of a rollup but the histograms."""


@dataclass(frozen=True)
class Totals:
    """The sums of some rollup rows, with the figures read from them."""

    sums: Mapping[str, float]

    @property
    def runs(self) -> int:
        """How many runs ended."""
        return int(self.sums.get("runs") or 0)

    def status_counts(self) -> dict[str, int]:
        """Runs by status, every status present."""
        return {status: int(self.sums.get(status) or 0) for status in STATUSES}

    def tokens(self) -> dict[str, int]:
        """Input and output token totals."""
        return {name: int(self.sums.get(name) or 0) for name in ("input_tokens", "output_tokens")}

    def average(self, name: str) -> float | None:
        """The mean TTFT (`ttft`) or total time (`total`), in ms (None with no runs)."""
        count = self.sums.get("ttft_count" if name == "ttft" else "runs") or 0
        return round(self.sums.get(f"{name}_sum_ms", 0.0) / count, 1) if count else None

    def quantile(self, name: str, q: float) -> float | None:
        """The `q` percentile of TTFT or total time, from the histogram."""
        return quantile([int(self.sums.get(f) or 0) for f in histogram_fields(name)], q)

    def agent_ms(self) -> dict[str, float]:
        """Each agent's summed milliseconds (agents that never ran left out)."""
        found = {agent: float(self.sums.get(f"{agent}_ms") or 0.0) for agent in AGENTS}
        return {agent: ms for agent, ms in found.items() if ms}


def added(rows: Iterable[Mapping[str, Any]], fields: Iterable[str]) -> Totals:
    """Add up `fields` over rows already read."""
    names = list(fields)
    sums = dict.fromkeys(names, 0.0)
    for row in rows:
        for name in names:
            sums[name] += row.get(name) or 0
    return Totals(sums)


def histogram(rows: Iterable[Mapping[str, Any]], name: str) -> list[int]:
    """The bucket counts of one histogram (`ttft` or `total`) added up over rows already read."""
    counts = [0] * BUCKETS
    for row in rows:
        for bucket, column in enumerate(histogram_fields(name)):
            counts[bucket] += row[column]
    return counts


def summed(rows: QuerySet[Any], fields: Iterable[str]) -> Totals:
    """Add up `fields` over `rows` in the database (one query)."""
    names = list(fields)
    found = rows.aggregate(**{name: Sum(name) for name in names})
    return Totals({name: found[name] or 0 for name in names})


def since(start: datetime | None) -> QuerySet[RunRollup]:
    """The rows covering every run since `start` to the minute (all time with None).

    Minute rows up to the first whole hour, hour rows from there: at most 59 + one per hour.
    """
    hours = RunRollup.objects.filter(span=RunRollup.Span.HOUR)
    if start is None:
        return hours
    first = floor_to(start, MINUTE)
    whole = floor_to(start, HOUR)
    if whole < first:
        whole += timedelta(hours=1)
    minutes = Q(span=RunRollup.Span.MINUTE, start__gte=first, start__lt=whole)
    return RunRollup.objects.filter(minutes | Q(span=RunRollup.Span.HOUR, start__gte=whole))


def run_totals(start: datetime | None) -> Totals:
    """Every counter and both histograms summed over the runs since `start` (one query)."""
    return summed(since(start), (*COUNTERS, *histogram_fields()))


def user_totals(user_id: str) -> Totals:
    """A user's counters over all time (one query over their day rows)."""
    days = UserRollup.objects.filter(span=UserRollup.Span.DAY, user_id=user_id)
    return summed(days, COUNTERS)


def hour_rows(start: datetime) -> list[dict[str, Any]]:
    """The hour rows from `start` on, oldest first, every field read."""
    rows = RunRollup.objects.filter(span=RunRollup.Span.HOUR, start__gte=start).order_by("start")
    return list(rows.values("start", *COUNTERS, *histogram_fields()))


def heaviest_users(start: datetime, limit: int = 10) -> list[dict[str, Any]]:
    """The users with the most runs since `start` (an hour): runs, time, tokens, errors.

    One grouped query over the hour rows up to the first midnight, then the day rows.
    """
    midnight = floor_to(start, DAY)
    if midnight < start:
        midnight += timedelta(days=1)
    hours = Q(span=UserRollup.Span.HOUR, start__gte=start, start__lt=midnight)
    rows = (
        UserRollup.objects.filter(hours | Q(span=UserRollup.Span.DAY, start__gte=midnight))
        .values("user_id")
        .annotate(
            runs=Sum("runs"),
            total_ms=Sum("total_sum_ms"),
            tokens=Sum("output_tokens"),
            errors=Sum("error"),
        )
        .order_by("-runs", "user_id")[:limit]
    )
    return [
        {**row, "avg_ms": row["total_ms"] / row["runs"] if row["runs"] else None} for row in rows
    ]


def run_figures(start: datetime | None) -> dict[str, Any]:
    """The vitals' run figures since `start` (all time with None): one query over the rollups."""
    flush_rollups()  # this process's own runs count at once
    totals = run_totals(start)
    return {
        "total_runs": totals.runs,
        "p50_ttft_ms": totals.quantile("ttft", 50),
        "p95_ttft_ms": totals.quantile("ttft", 95),
        "p50_total_ms": totals.quantile("total", 50),
        "p95_total_ms": totals.quantile("total", 95),
        "avg_response_time_ms": totals.average("total"),
        "status_counts": totals.status_counts(),
        **totals.tokens(),
    }
