"""Aggregations over stored metrics, by the database through the portable ORM.

Percentiles use the nearest-rank method: count the rows, then read the value at each rank
from the rows ordered by that field (an indexed, one-row query), so they work unchanged on
SQLite and MongoDB and never load every value into Python.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.db.models import Count, Q, QuerySet, Sum

from telemetry.models import RequestMetric

WINDOW = re.compile(r"^(\d{1,6})([mhd])$")
WINDOW_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
MAX_WINDOW = timedelta(days=366)


class BadWindow(ValueError):
    """A `window` is not a number followed by m, h or d, or is longer than a year."""


def parse_window(text: str) -> timedelta:
    """Turn `30m`, `1h` or `7d` into a timedelta."""
    match = WINDOW.match(text.strip())
    if not match:
        raise BadWindow(f"window must look like 30m, 1h or 7d, got {text!r}")
    window = timedelta(**{WINDOW_UNITS[match.group(2)]: int(match.group(1))})
    if not timedelta(0) < window <= MAX_WINDOW:
        raise BadWindow(f"window must be between 1m and 366d, got {text!r}")
    return window


def rank(count: int, quantile: float) -> int:
    """The 0-based nearest-rank index of `quantile` (0-100) among `count` ordered values."""
    return max(0, min(count - 1, math.ceil(quantile / 100 * count) - 1))


def nearest_rank(ordered: Sequence[float], quantile: float) -> float | None:
    """The `quantile` of already ordered values (None when there are none)."""
    return ordered[rank(len(ordered), quantile)] if ordered else None


def percentiles(
    metrics: QuerySet[RequestMetric], field: str, quantiles: Iterable[float]
) -> dict[float, float | None]:
    """Each quantile of `field` over `metrics`: one count, then one indexed read per quantile."""
    present = metrics.filter(**{f"{field}__isnull": False}).order_by(field)
    count = present.count()
    found: dict[float, float | None] = {}
    for quantile in quantiles:
        value = present.values_list(field, flat=True)[rank(count, quantile)] if count else None
        found[quantile] = None if value is None else round(value, 1)
    return found


def counts_and_tokens(metrics: QuerySet[RequestMetric]) -> tuple[dict[str, int], dict[str, int]]:
    """Runs by status and token totals in one pass over `metrics`."""
    statuses = RequestMetric.Status.values
    sums = metrics.aggregate(
        input_tokens=Sum("input_tokens"),
        output_tokens=Sum("output_tokens"),
        **{status: Count("pk", filter=Q(status=status)) for status in statuses},
    )
    counts = {status: sums[status] for status in statuses}
    return counts, {
        "input_tokens": sums["input_tokens"] or 0,
        "output_tokens": sums["output_tokens"] or 0,
    }


def summary(metrics: QuerySet[RequestMetric]) -> dict[str, Any]:
    """p50/p95 of TTFT and total, runs by status and token totals of `metrics`."""
    ttft = percentiles(metrics, "ttft_ms", (50, 95))
    total = percentiles(metrics, "total_time_ms", (50, 95))
    counts, tokens = counts_and_tokens(metrics)
    return {
        "p50_ttft_ms": ttft[50],
        "p95_ttft_ms": ttft[95],
        "p50_total_ms": total[50],
        "p95_total_ms": total[95],
        "status_counts": counts,
        **tokens,
    }


asummary = sync_to_async(summary)
