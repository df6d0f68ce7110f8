"""The figures of the admin dashboard and the per-user page, read from the rollups.

A period is whole hours: "24h" starts at the top of the hour 24 hours ago, so every figure
comes from that many hour rows of `RunRollup` (and `UserRollup` for the heaviest users),
whatever the number of runs. Only the slowest runs are read from the metrics, by the index on
`total_time_ms`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from chat.models import Session
from memory.models import MemoryItem
from telemetry.histogram import METRICS, quantile
from telemetry.models import RequestMetric
from telemetry.rollup_queries import (
    COUNTERS,
    Totals,
    added,
    heaviest_users,
    histogram,
    hour_rows,
    user_totals,
)
from telemetry.rollups import HOUR, floor_to, flush_rollups

PERIODS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
DEFAULT_PERIOD = "24h"
QUANTILES = (50, 95, 99)
DAY = 86_400
HOURLY_SPAN = timedelta(days=7)


@dataclass(frozen=True)
class Series:
    """Percentiles per time bucket: labels, then `{"p50": [...], ...}` for TTFT and total."""

    labels: list[str]
    ttft: dict[str, list[float | None]]
    total: dict[str, list[float | None]]


def period_start(period: str, now: datetime | None = None) -> datetime:
    """The start of a named period, at the top of its first hour (unknown names: the default)."""
    return floor_to((now or timezone.now()) - PERIODS.get(period, PERIODS[DEFAULT_PERIOD]), HOUR)


def bucket_starts(start: datetime, end: datetime, seconds: int) -> list[int]:
    """Every bucket (epoch seconds, a multiple of `seconds`) from `start`'s to `end`'s."""
    first, last = int(start.timestamp()) // seconds, int(end.timestamp()) // seconds
    return [bucket * seconds for bucket in range(first, last + 1)]


def percentile_series(
    rows: list[dict[str, Any]], start: datetime, now: datetime
) -> dict[str, Series]:
    """TTFT and total p50/p95/p99 per day since `start`, and per hour over its last 7 days."""
    hourly_from = max(start, now - HOURLY_SPAN)
    by_hour = {int(row["start"].timestamp()): [row] for row in rows if row["start"] >= hourly_from}
    by_day: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_day.setdefault(int(row["start"].timestamp()) // DAY * DAY, []).append(row)
    return {
        "hourly": series(by_hour, bucket_starts(hourly_from, now, HOUR), "%d %H:00"),
        "daily": series(by_day, bucket_starts(start, now, DAY), "%m-%d"),
    }


def series(found: dict[int, list[dict[str, Any]]], buckets: list[int], label: str) -> Series:
    """Percentile lines over the buckets (None where a bucket has no run), labelled in UTC."""
    lines = {}
    for name in METRICS:
        counts = {bucket: histogram(rows, name) for bucket, rows in found.items()}
        lines[name] = {
            f"p{q}": [quantile(counts.get(bucket, ()), q) for bucket in buckets] for q in QUANTILES
        }
    return Series(
        labels=[datetime.fromtimestamp(bucket, UTC).strftime(label) for bucket in buckets],
        ttft=lines["ttft"],
        total=lines["total"],
    )


def agent_share(totals: Totals) -> list[tuple[str, float]]:
    """Each agent's share of all agent time, in percent, largest first."""
    spent = totals.agent_ms()
    whole = sum(spent.values()) or 1.0
    return sorted(((agent, 100 * ms / whole) for agent, ms in spent.items()), key=lambda r: -r[1])


def slowest_runs(start: datetime, limit: int = 10) -> list[RequestMetric]:
    """The runs with the longest total time since `start` (read down the `total_time_ms` index)."""
    metrics: QuerySet[RequestMetric] = RequestMetric.objects.filter(timestamp__gte=start)
    return list(metrics.order_by("-total_time_ms")[:limit])


def rates(counts: dict[str, int]) -> dict[str, float | None]:
    """Error and cancel rates in percent of all runs (None with no runs)."""
    runs = sum(counts.values())
    if not runs:
        return {"error": None, "cancel": None}
    return {
        "error": round(100 * counts.get("error", 0) / runs, 1),
        "cancel": round(100 * counts.get("cancelled", 0) / runs, 1),
    }


def dashboard(period: str) -> dict[str, Any]:
    """Everything the dashboard shows for a period."""
    flush_rollups()  # this process's own runs count at once
    now = timezone.now()
    start = period_start(period, now)
    rows = hour_rows(start)
    totals = added(rows, COUNTERS)
    counts = totals.status_counts()
    return {
        "period": period if period in PERIODS else DEFAULT_PERIOD,
        "start": start,
        "runs": totals.runs,
        "status_counts": counts,
        "rates": rates(counts),
        "tokens": totals.tokens(),
        **percentile_series(rows, start, now),
        "agent_share": agent_share(totals),
        "slowest": slowest_runs(start),
        "heaviest": heaviest_users(start),
    }


def user_overview(user_id: str) -> dict[str, Any]:
    """A user's runs, averages, errors and tokens (all time), sessions and latest runs."""
    flush_rollups()
    totals = user_totals(user_id)
    counts = totals.status_counts()
    sessions = Session.objects.filter(user_id=user_id)
    return {
        "user_id": user_id,
        "sessions": list(sessions.order_by("-updated_at")[:50]),
        "session_count": sessions.count(),
        "memories": list(MemoryItem.objects.filter(user_id=user_id).order_by("-updated_at")[:50]),
        "averages": {
            "runs": totals.runs,
            "ttft": totals.average("ttft"),
            "total": totals.average("total"),
            "tools": int(totals.sums["tool_calls"]),
        },
        "status_counts": counts,
        "rates": rates(counts),
        "tokens": totals.tokens(),
        "recent": list(
            RequestMetric.objects.filter(user_id=user_id)
            .select_related("session")
            .order_by("-timestamp")[:20]
        ),
    }
