"""What a webhook receives: the ended run, in the shape of the protocol that started it.

Each protocol that can name a webhook registers a builder when its app is ready: given the
ended run, it returns the payload, or None when the run is not its own (the first that
answers wins; the native run resource, registered by the run engine, answers for any run).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from runs.models import Run

PayloadBuilder = Callable[[Run], Awaitable[dict[str, Any] | None]]
_builders: list[PayloadBuilder] = []


def register(builder: PayloadBuilder, *, fallback: bool = False) -> None:
    """Add a payload builder; a `fallback` is asked after every other (once each)."""
    if builder in _builders:
        return
    if fallback:
        _builders.append(builder)
    else:
        _builders.insert(0, builder)


async def payload_of(run: Run) -> dict[str, Any]:
    """The payload the first builder that knows the run gives.

    Raises:
        LookupError: no builder knows it (none was registered).
    """
    for builder in _builders:
        payload = await builder(run)
        if payload is not None:
            return payload
    raise LookupError(f"no webhook payload for run {run.pk}")
