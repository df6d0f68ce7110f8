"""Milliseconds, measured and summed one way everywhere (3 decimals)."""

from __future__ import annotations

import time
from collections.abc import Mapping

DECIMALS = 3


def ms_since(started: float) -> float:
    """Milliseconds since `started`, a `time.perf_counter()` reading."""
    return round((time.perf_counter() - started) * 1000, DECIMALS)


def add_timings(old: Mapping[str, float], new: Mapping[str, float]) -> dict[str, float]:
    """Sum each agent's milliseconds (the worker runs twice on a retry).

    The planner's starts a new sum: every pass starts with it (a thread's checkpointed state
    outlives its runs).
    """
    merged = {} if "planner" in new else dict(old)
    for agent, ms in new.items():
        merged[agent] = round(merged.get(agent, 0.0) + ms, DECIMALS)
    return merged
