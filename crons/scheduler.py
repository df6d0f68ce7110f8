"""The scheduler every server process runs: claim each due firing once, start its run.

Each `CRON_POLL_SECONDS` it reads the enabled crons whose `next_run_date` has come (by the
clock of crons/clock.py). A firing is claimed in one transaction: the cron's next date moves
on (conditionally on the date it read, so only one process moves it) and a `Firing` row is
inserted (unique per cron and due time). The next date is the schedule's first time after
the later of now and the due time: a process down at the due time fires the missed firing
once when it is back, never once per missed minute, and none is fired twice.

The firing's run is then started by the protocol the cron belongs to (its starter, registered
by that protocol's app), under the run id chosen with the claim. A firing claimed by a
process that died before its run was admitted is taken over after `CRON_CLAIM_SECONDS` and
started under the same id, unless that run exists already: lost or doubled, never.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from chat.models import new_object_id
from crons import clock
from crons.models import Cron, Firing
from crons.schedules import next_firing
from runs.models import ACTIVE_RUN_STATUSES, Run
from telemetry.outages import Repeating
from webhooks.models import Delivery

logger = logging.getLogger(__name__)

OWNER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
BATCH = 50
THREADS = uuid.UUID("6f2b0a4e-2d1c-4b7e-9a0f-5c3e8d1b7a29")
"""The namespace of the threads of thread-less crons' firings (one per firing, derived)."""


class FiringRefused(Exception):
    """The firing cannot start and never will (its thread is gone, its input is void)."""


@dataclass(frozen=True)
class Protocol:
    """How a protocol starts a firing's run, and what it does once that run ended."""

    start: Callable[[Cron, Firing], Awaitable[None]]
    finish: Callable[[Cron, Firing], Awaitable[None]]


_protocols: dict[str, Protocol] = {}


def register(name: str, protocol: Protocol) -> None:
    """Let the crons of protocol `name` fire (its app calls this when ready)."""
    _protocols[name] = protocol


class Scheduler:
    """Fire this process's share of the crons until cancelled."""

    async def run(self) -> None:
        """Tick every CRON_POLL_SECONDS; failing ticks (the database away) logged twice."""
        attempts = Repeating(logger, "the cron scheduler")
        while True:
            try:
                await self.tick(clock.now())
            except Exception as exc:
                await attempts.failed(exc)
            else:
                attempts.worked()
            await asyncio.sleep(settings.CRON_POLL_SECONDS)

    async def tick(self, now: datetime) -> None:
        """Claim what is due, start it; take over stale claims; finish what ended."""
        for firing in await claim_due(now) + await take_over_stale():
            await self.start(firing)
        for firing in await ended_to_finish():
            await self.finish(firing)

    async def start(self, firing: Firing) -> None:
        """Start the firing's run through its cron's protocol; record how it went."""
        cron = firing.cron
        finished = cron.on_run_completed != "delete"  # else: once its run ended
        if await Run.objects.filter(pk=firing.run_id).aexists():
            await mark(firing, started=True, finished=finished)  # admitted before its owner died
            return
        try:
            await _protocols[cron.protocol].start(cron, firing)
        except FiringRefused as refused:
            logger.warning("cron %s: firing %s refused: %s", cron.pk, firing.due_at, refused)
            await mark(firing, started=True, finished=True, error=str(refused))
            return
        except Exception as exc:  # tried again when its claim lapses
            logger.exception("cron %s: firing %s could not start", cron.pk, firing.due_at)
            await mark(firing, error=f"{type(exc).__name__}: {exc}"[:500])
            return
        await mark(firing, started=True, finished=finished)
        logger.info("cron %s fired for %s: run %s", cron.pk, firing.due_at, firing.run_id)

    async def finish(self, firing: Firing) -> None:
        """Let the protocol act on the firing's ended run (delete its thread, say)."""
        try:
            await _protocols[firing.cron.protocol].finish(firing.cron, firing)
        except Exception:
            logger.exception("cron %s: finishing firing %s failed", firing.cron_id, firing.pk)
            return
        await mark(firing, finished=True)


@sync_to_async
def claim_due(now: datetime) -> list[Firing]:
    """Claim the due firings this process is first to see (each by one process only)."""
    due = Cron.objects.filter(enabled=True, next_run_date__lte=now).order_by("next_run_date")
    claimed = []
    for cron in due[:BATCH]:
        if firing := claim(cron, now):
            claimed.append(firing)
    return claimed


def claim(cron: Cron, now: datetime) -> Firing | None:
    """Move the cron on from its due date and insert its firing, in one transaction.

    None when another process moved it first, or when the due date is past its end.
    """
    due = cron.next_run_date
    assert due is not None
    following = next_firing(cron, max(now, due))
    try:
        with transaction.atomic():
            moved = Cron.objects.filter(pk=cron.pk, enabled=True, next_run_date=due).update(
                next_run_date=following
            )
            if not moved or (cron.end_time is not None and due > cron.end_time):
                return None
            return Firing.objects.create(
                cron=cron,
                due_at=due,
                run_id=new_object_id(),
                thread_id=cron.thread_id or str(uuid.uuid5(THREADS, f"{cron.pk}@{due}")),
                claimed_by=OWNER,
            )
    except IntegrityError:  # the same firing, claimed elsewhere (the unique constraint)
        return None


@sync_to_async
def take_over_stale() -> list[Firing]:
    """Claim the firings another process claimed and never started (it died, say)."""
    now = timezone.now()
    stale = Firing.objects.filter(
        started=False,
        claimed_at__lt=now - timedelta(seconds=settings.CRON_CLAIM_SECONDS),
    ).select_related("cron")
    taken = []
    for firing in stale[:BATCH]:
        if Firing.objects.filter(pk=firing.pk, claimed_at=firing.claimed_at).update(
            claimed_at=now, claimed_by=OWNER
        ):
            taken.append(firing)
    return taken


@sync_to_async
def ended_to_finish() -> list[Firing]:
    """The firings of `delete` crons whose run ended and whose webhook was dealt with."""
    waiting = Firing.objects.filter(
        finished=False, started=True, cron__on_run_completed="delete", cron__thread_id=""
    ).select_related("cron")
    done = []
    for firing in waiting[:BATCH]:
        run = Run.objects.filter(pk=firing.run_id).only("status").first()
        if run is not None and run.status in ACTIVE_RUN_STATUSES:
            continue
        owed = Delivery.objects.filter(run_id=firing.run_id, status=Delivery.Status.PENDING)
        if not owed.exists():  # the webhook's payload is read from the thread: keep it till then
            done.append(firing)
    return done


@sync_to_async
def mark(firing: Firing, **fields: object) -> None:
    """Record what became of a firing."""
    Firing.objects.filter(pk=firing.pk).update(**fields)
