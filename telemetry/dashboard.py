"""The figures of the admin dashboard and the per-user page, one query per chart.

Every query goes through the portable ORM (SQLite and MongoDB alike) and reads indexed
fields: `timestamp` bounds every query, `status`, `user_id` and `total_time_ms` group or
order. Percentiles by hour and by day are cut from one ordered read of the period's
(timestamp, TTFT, total) values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, FloatField, Q, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone

from chat.models import Session
from telemetry.models import RequestMetric
from telemetry.stats import counts_and_tokens, nearest_rank

PERIODS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
DEFAULT_PERIOD = "24h"
QUANTILES = (50, 95, 99)
AGENTS = ("planner", "worker", "critic", "synthesizer")


@dataclass(frozen=True)
class Series:
    """Percentiles per time bucket: labels, then `{"p50": [...], ...}` for TTFT and total."""

    labels: list[str]
    ttft: dict[str, list[float | None]]
    total: dict[str, list[float | None]]


def period_start(period: str, now: datetime | None = None) -> datetime:
    """The start of a named period (unknown names mean the default)."""
    return (now or timezone.now()) - PERIODS.get(period, PERIODS[DEFAULT_PERIOD])


def in_period(start: datetime) -> QuerySet[RequestMetric]:
    """The metrics stored since `start`."""
    return RequestMetric.objects.filter(timestamp__gte=start)


HOUR, DAY = 3600, 86_400
HOURLY_SPAN = timedelta(days=7)


def bucket_starts(start: datetime, end: datetime, seconds: int) -> list[int]:
    """Every bucket (epoch seconds, a multiple of `seconds`) from `start`'s to `end`'s."""
    first, last = int(start.timestamp()) // seconds, int(end.timestamp()) // seconds
    return [bucket * seconds for bucket in range(first, last + 1)]


def percentile_series(start: datetime, now: datetime | None = None) -> dict[str, Series]:
    """TTFT and total p50/p95/p99 per day since `start` and per hour over its last 7 days.

    One ordered read of the period's (timestamp, TTFT, total) serves both charts.
    """
    now = now or timezone.now()
    hourly_from = max(start, now - HOURLY_SPAN).timestamp()
    values: dict[int, dict[int, tuple[list[float], list[float]]]] = {HOUR: {}, DAY: {}}
    rows = (
        in_period(start).order_by("timestamp").values_list("timestamp", "ttft_ms", "total_time_ms")
    )
    for moment, ttft, total in rows.iterator(chunk_size=5000):
        seconds = moment.timestamp()
        for size in (DAY, HOUR) if seconds >= hourly_from else (DAY,):
            ttfts, totals = values[size].setdefault(int(seconds) // size * size, ([], []))
            totals.append(total)
            if ttft is not None:
                ttfts.append(ttft)
    return {
        "hourly": series(
            values[HOUR], bucket_starts(max(start, now - HOURLY_SPAN), now, HOUR), "%d %H:00"
        ),
        "daily": series(values[DAY], bucket_starts(start, now, DAY), "%m-%d"),
    }


def series(
    found: dict[int, tuple[list[float], list[float]]], buckets: list[int], label: str
) -> Series:
    """Percentile lines over the buckets, labelled in UTC."""
    return Series(
        labels=[datetime.fromtimestamp(bucket, UTC).strftime(label) for bucket in buckets],
        ttft=quantile_lines({b: found[b][0] for b in found}, buckets),
        total=quantile_lines({b: found[b][1] for b in found}, buckets),
    )


def quantile_lines(
    values: dict[int, list[float]], buckets: list[int]
) -> dict[str, list[float | None]]:
    """`{"p50": [...], "p95": [...], "p99": [...]}` over the buckets (None where empty)."""
    ordered = {bucket: sorted(found) for bucket, found in values.items()}
    return {
        f"p{q}": [nearest_rank(ordered.get(bucket, []), q) for bucket in buckets] for q in QUANTILES
    }


def agent_ms(agent: str) -> Any:
    """An agent's milliseconds in `agent_timings`, as a number the database can sum.

    SQL databases read the JSON value as text and cast it (PostgreSQL has no SUM of jsonb);
    MongoDB sums the field as it is.
    """
    if connection.vendor == "mongodb":
        return KeyTransform(agent, "agent_timings")
    return Cast(KeyTextTransform(agent, "agent_timings"), FloatField())


def agent_share(metrics: QuerySet[RequestMetric]) -> list[tuple[str, float]]:
    """Each agent's share of all agent time, in percent, largest first (one query)."""
    sums = metrics.aggregate(
        **{agent: Sum(agent_ms(agent), output_field=FloatField()) for agent in AGENTS}
    )
    spent = {agent: ms for agent, ms in sums.items() if ms}
    whole = sum(spent.values()) or 1.0
    return sorted(((agent, 100 * ms / whole) for agent, ms in spent.items()), key=lambda r: -r[1])


def slowest_runs(metrics: QuerySet[RequestMetric], limit: int = 10) -> list[RequestMetric]:
    """The runs with the longest total time."""
    return list(metrics.order_by("-total_time_ms")[:limit])


def heaviest_users(metrics: QuerySet[RequestMetric], limit: int = 10) -> list[dict[str, Any]]:
    """The users with the most runs: runs, total time, tokens and errors (one grouped query)."""
    return list(
        metrics.order_by()
        .values("user_id")
        .annotate(
            runs=Count("pk"),
            total_ms=Sum("total_time_ms"),
            avg_ms=Avg("total_time_ms"),
            tokens=Sum("output_tokens"),
            errors=Count("pk", filter=Q(status=RequestMetric.Status.ERROR)),
        )
        .order_by("-runs", "user_id")[:limit]
    )


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
    now = timezone.now()
    start = period_start(period, now)
    metrics = in_period(start)
    counts, tokens = counts_and_tokens(metrics)
    return {
        "period": period if period in PERIODS else DEFAULT_PERIOD,
        "start": start,
        "runs": sum(counts.values()),
        "status_counts": counts,
        "rates": rates(counts),
        "tokens": tokens,
        **percentile_series(start, now),
        "agent_share": agent_share(metrics),
        "slowest": slowest_runs(metrics),
        "heaviest": heaviest_users(metrics),
    }


def user_overview(user_id: str) -> dict[str, Any]:
    """A user's sessions, runs, averages, errors and tokens, with the latest runs."""
    metrics = RequestMetric.objects.filter(user_id=user_id)
    averages = metrics.aggregate(
        runs=Count("pk"),
        ttft=Avg("ttft_ms"),
        total=Avg("total_time_ms"),
        tools=Sum("tool_call_count"),
    )
    counts, tokens = counts_and_tokens(metrics)
    return {
        "user_id": user_id,
        "sessions": list(
            Session.objects.filter(user_id=user_id)
            .annotate(run_count=Count("metrics"))
            .order_by("-updated_at")[:50]
        ),
        "session_count": Session.objects.filter(user_id=user_id).count(),
        "averages": averages,
        "status_counts": counts,
        "rates": rates(counts),
        "tokens": tokens,
        "recent": list(metrics.select_related("session").order_by("-timestamp")[:20]),
    }
