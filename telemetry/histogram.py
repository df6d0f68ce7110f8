"""Fixed-bucket latency histograms: which bucket a time falls in, and quantiles read back.

Bucket 0 holds times under 1 ms; bucket k (1 ≤ k ≤ 62) holds [2^((k-1)/3), 2^(k/3)) ms, each
26% wider than the one before; bucket 63 holds everything from 2^(62/3) ms (about 28
minutes) up. A quantile is read as the geometric middle of the bucket holding the
nearest-rank value, so it is within that bucket's width of the exact value (at most 13%
off inside the log-spaced range).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

BUCKETS = 64
PER_DOUBLING = 3
METRICS = ("ttft", "total")
"""The two histograms a rollup keeps: time to first token and total time."""


@cache
def histogram_fields(metric: str | None = None) -> tuple[str, ...]:
    """The column names of one histogram (`ttft_00`…`ttft_63`), or of both."""
    names = (metric,) if metric else METRICS
    return tuple(f"{name}_{bucket:02}" for name in names for bucket in range(BUCKETS))


def bucket_of(ms: float) -> int:
    """The bucket a time in milliseconds falls in."""
    if ms < 1.0:
        return 0
    return min(BUCKETS - 1, 1 + math.floor(math.log2(ms) * PER_DOUBLING + 1e-9))


def bounds(bucket: int) -> tuple[float, float]:
    """The bucket's lower and upper edge in ms (the last one's upper edge is infinite)."""
    if bucket == 0:
        return 0.0, 1.0
    upper = math.inf if bucket == BUCKETS - 1 else 2 ** (bucket / PER_DOUBLING)
    return 2 ** ((bucket - 1) / PER_DOUBLING), upper


def representative(bucket: int) -> float:
    """The value a bucket stands for: its geometric middle (its lower edge for the open ones)."""
    lower, upper = bounds(bucket)
    if bucket == 0:
        return 0.5
    return lower if math.isinf(upper) else math.sqrt(lower * upper)


def quantile(counts: Sequence[int], q: float) -> float | None:
    """The `q` (0-100) quantile by nearest rank, read from bucket counts (None when empty)."""
    total = sum(counts)
    if not total:
        return None
    wanted = max(1, math.ceil(q / 100 * total))
    seen = 0
    for bucket, count in enumerate(counts):
        seen += count
        if seen >= wanted:
            return round(representative(bucket), 1)
    raise AssertionError("unreachable: the counts add up to total")
