"""Owing a delivery: written in the transaction that records a run's end, then a wake-up.

The run engine calls `owe_delivery` inside that transaction (runs/store.close_run), whichever
process ends the run (its own, or the one that finds its owner gone): the delivery is stored
exactly when the run's end is, and survives any crash after it. Once the transaction
commits, this process's delivery worker is woken (the others find it by polling).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from django.db import transaction

from webhooks.models import Delivery


@dataclass(frozen=True, slots=True)
class Webhook:
    """Where a run's end is told, and for whom (the run's user)."""

    url: str
    user_id: str


_wake: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None
"""The running delivery worker's loop and wake-up event (None when none runs here)."""


def owe_delivery(run_id: str, webhook: Webhook) -> None:
    """Store the delivery the run owes its webhook (inside the run's closing transaction)."""
    Delivery.objects.create(run_id=run_id, user_id=webhook.user_id, url=webhook.url)
    transaction.on_commit(wake)


def listen(loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
    """Make `event` (of the worker running on `loop`) the one `wake` sets."""
    global _wake
    _wake = (loop, event)


def wake() -> None:
    """Wake this process's delivery worker (from any thread; nothing when none runs)."""
    if _wake is None:
        return
    loop, event = _wake
    with contextlib.suppress(RuntimeError):  # its loop closed: nothing to wake
        loop.call_soon_threadsafe(event.set)
