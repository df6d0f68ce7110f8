"""Waiting on a condition instead of a fixed sleep: poll until it holds, fail past a deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
POLL_SECONDS = 0.02


def until(condition: Callable[[], T], *, timeout: float = 15.0, what: str = "condition") -> T:
    """Return `condition()`'s first truthy value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"{what} did not hold within {timeout} s"
        time.sleep(POLL_SECONDS)
    return value


async def eventually(
    condition: Callable[[], Awaitable[T]], *, timeout: float = 15.0, what: str = "condition"
) -> T:
    """Return the awaited `condition()`'s first truthy value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := await condition()):
        assert time.monotonic() < deadline, f"{what} did not hold within {timeout} s"
        await asyncio.sleep(POLL_SECONDS)
    return value
