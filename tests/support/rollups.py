"""Checking a percentile read from the rollups' histograms against the exact value."""

from __future__ import annotations

from telemetry.histogram import bounds, bucket_of


def read_from_buckets(estimate: float | None, exact: float) -> bool:
    """Whether `estimate` lies in the bucket that holds `exact` (within one bucket's width)."""
    lower, upper = bounds(bucket_of(exact))
    return estimate is not None and lower <= estimate < upper
