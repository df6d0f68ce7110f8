"""Leases on executing runs: heartbeats, fencing, hand-over, and taking a run over.

A process holds a lease on each run it executes: the run's `owner` is the process and its
`heartbeat_at` is renewed every RUN_HEARTBEAT_SECONDS. The run's `attempt` is the fencing
token: every write of a run (its records, its outcome, its checkpoints, its event ids) is
conditional on the attempt that makes it still being the run's, so a process that lost its
lease (stalled past it, and another took the run over) can write nothing more of it.

A run is taken over (claimed) when its lease ran out (its owner died or stalled) or when its
owner handed it over as it stopped (SIGTERM). A claim is one conditional update, `attempt =
attempt + 1 WHERE attempt = <seen> AND heartbeat_at < <cutoff>`: of two processes claiming
at once, one updates a row. On PostgreSQL the candidates are read `FOR UPDATE SKIP LOCKED`,
so that claimers do not queue behind each other's rows.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from runs.models import ACTIVE_RUN_STATUSES, EVENT_ID_BLOCK, Run, RunAttempt
from runs.store import OWNER, abandon, lease_cutoff
from telemetry.outages import database_failed_within
from telemetry.prometheus import RUN_LEASES_LOST, RUN_RESUMPTIONS

logger = logging.getLogger(__name__)

HANDED_OVER_AT = datetime(2000, 1, 1, tzinfo=UTC)
"""The heartbeat of a run handed over: long past, so that the next claim takes it."""
CANCELLED_WHILE_GONE = "cancelled while the server executing it was gone"
PRE_RESUMPTION = "the server executing the run stopped, and it was stored before runs resumed"


class Fenced(Exception):
    """This process lost its lease on the run: another attempt executes it now."""


@dataclass
class Lease:
    """This process's hold on one run: the attempt that executes it (its fencing token)."""

    run_id: str
    attempt: int
    started_at: datetime = field(default_factory=timezone.now)
    lost: bool = False
    """Set once a write was refused or a heartbeat found the run taken over."""

    def check(self) -> None:
        """Raise `Fenced` unless this attempt still holds the run (inside the write's transaction).

        On PostgreSQL the run's row is locked until the transaction ends, so a claim of it
        waits for the write that checked it (or the write waits for the claim, and fails).
        """
        if not holds(self.run_id, self.attempt):
            self.fence()

    def fence(self) -> None:
        """Record that the lease is lost, and raise `Fenced`."""
        if not self.lost:
            self.lost = True
            RUN_LEASES_LOST.inc()
            logger.warning(
                "run %s: attempt %d lost its lease (another process executes the run now); "
                "its writes are refused",
                self.run_id,
                self.attempt,
            )
        raise Fenced(self.run_id)


HOLDS_SQL = 'SELECT 1 FROM runs WHERE "_id" = %s AND attempt = %s AND status IN (%s, %s)'
"""The lease check as one statement (it runs with every write of a run: the ORM's query
building would cost ten times the query)."""


def holds(run_id: str, attempt: int) -> bool:
    """Whether `attempt` still executes the run.

    On PostgreSQL, inside a transaction, the run's row stays locked until it ends.
    """
    statuses = [str(status) for status in ACTIVE_RUN_STATUSES]
    if connection.vendor not in {"sqlite", "postgresql"}:
        found = Run.objects.filter(pk=run_id, attempt=attempt, status__in=statuses)
        return found.exists()
    sql = HOLDS_SQL
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [run_id, attempt, *statuses])
        return cursor.fetchone() is not None


@sync_to_async
def reserve_event_ids(lease: Lease, through: int) -> None:
    """Reserve the run's event ids up to `through` for this attempt (raise `Fenced` if lost)."""
    held = Run.objects.filter(pk=lease.run_id, attempt=lease.attempt)
    if not held.filter(status__in=ACTIVE_RUN_STATUSES).update(event_ids_to=through):
        lease.fence()


@sync_to_async
def renew(run_ids: Collection[str]) -> tuple[dict[str, str], list[str]]:
    """Renew this process's leases; return the cancels asked of its runs and the runs lost.

    A run is lost when it is still active but another process owns it now (it took the run
    over while this one stalled).
    """
    if not run_ids:
        return {}, []
    active = Run.objects.filter(pk__in=run_ids, status__in=ACTIVE_RUN_STATUSES)
    active.filter(owner=OWNER).update(heartbeat_at=timezone.now())
    owners = {
        run_id: (owner, asked)
        for run_id, owner, asked in active.values_list("id", "owner", "cancel_requested")
    }
    asked = {
        run_id: cancel for run_id, (owner, cancel) in owners.items() if cancel and owner == OWNER
    }
    lost = [run_id for run_id, (owner, _) in owners.items() if owner != OWNER]
    return asked, lost


@sync_to_async
def hand_over(leases: list[tuple[Lease, int]]) -> list[str]:
    """Give up this process's runs (it is stopping) with their last event ids; return which.

    Each run's lease ends at once, so the next claim of any live process takes it over.
    """
    handed = []
    for lease, last_event_id in leases:
        with transaction.atomic():
            released = Run.objects.filter(
                pk=lease.run_id, attempt=lease.attempt, status__in=ACTIVE_RUN_STATUSES
            ).update(owner="", heartbeat_at=HANDED_OVER_AT)
            if not released:
                continue
            RunAttempt.objects.create(
                run_id=lease.run_id,
                number=lease.attempt,
                owner=OWNER,
                started_at=lease.started_at,
                ending=RunAttempt.Ending.HANDED_OVER,
                last_event_id=last_event_id,
            )
        handed.append(lease.run_id)
    return handed


@dataclass
class Claim:
    """A run this process took over: its new lease and where its events go on."""

    run: Run
    lease: Lease
    first_event_id: int
    """The id of the attempt's first event: past every id an earlier attempt could use."""
    ended: RunAttempt
    """The attempt it took the run over from."""


@dataclass
class Sweep:
    """What one look for runs to take over found: runs claimed, and runs given up on."""

    claims: list[Claim] = field(default_factory=list)
    abandoned: list[tuple[Run, str, str]] = field(default_factory=list)
    """Runs recorded ended instead, each with its `error` event's code and message."""


@sync_to_async
def claim_runs(exclude: Collection[str], limit: int = 20) -> Sweep:
    """Take over the runs whose lease ran out (or that were handed over), up to `limit`.

    Not while this process has met the database unreachable within a lease: nobody could
    renew a lease then, and the owners, likely alive, get a whole lease to renew theirs.
    A run asked to stop while it had no owner, out of attempts, or stored before runs could
    be resumed is recorded ended instead (`Sweep.abandoned`).
    """
    sweep = Sweep()
    if database_failed_within(settings.RUN_LEASE_SECONDS):
        return sweep
    stale = (
        Run.objects.filter(status__in=ACTIVE_RUN_STATUSES, heartbeat_at__lt=lease_cutoff())
        .exclude(pk__in=list(exclude))
        .order_by("heartbeat_at")
    )
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            stale = stale.select_for_update(skip_locked=True)
        for run in list(stale[:limit]):
            claim_or_abandon(run, sweep)
    return sweep


def claim_or_abandon(run: Run, sweep: Sweep) -> None:
    """Claim one stale run for this process, or record why it ends here."""
    ending = ended_why(run)
    if not run.request:
        stop = (Run.Status.INTERRUPTED, "interrupted", PRE_RESUMPTION)
    elif run.cancel_requested:
        stop = (run.cancel_requested, run.cancel_requested, CANCELLED_WHILE_GONE)
    elif run.attempt >= settings.RUN_MAX_ATTEMPTS:
        reason = (
            f"the run was given up after {run.attempt} attempts (RUN_MAX_ATTEMPTS): its last "
            f"{'server stopped' if ending == RunAttempt.Ending.HANDED_OVER else 'server died'}"
        )
        stop = (Run.Status.ERROR, "resumption_failed", reason)
    else:
        stop = None
    if stop is not None:
        if abandon(run, stop[0], stop[2]):
            sweep.abandoned.append((run, stop[1], stop[2]))
            RUN_RESUMPTIONS.labels("given_up").inc()
        return
    taken = take_over(run, ending)
    if taken is not None:
        sweep.claims.append(taken)
        RUN_RESUMPTIONS.labels(ending).inc()


def ended_why(run: Run) -> str:
    """Why the run's current attempt ended: handed over (its row says so) or its lease ran out."""
    handed = RunAttempt.objects.filter(run=run, number=run.attempt).exists()
    return RunAttempt.Ending.HANDED_OVER if handed else RunAttempt.Ending.LEASE_EXPIRED


def take_over(run: Run, ending: str) -> Claim | None:
    """The conditional update that makes this process the run's owner, and its attempt's row."""
    now = timezone.now()
    ended = RunAttempt.objects.filter(run=run, number=run.attempt).first()
    first_event_id = run.event_ids_to + 1
    if ended is not None and ended.last_event_id is not None:
        first_event_id = ended.last_event_id + 1  # handed over: its last id is known exactly
    reserved = first_event_id + EVENT_ID_BLOCK - 1
    taken = Run.objects.filter(
        pk=run.pk, attempt=run.attempt, status=run.status, heartbeat_at__lt=lease_cutoff()
    ).update(attempt=run.attempt + 1, owner=OWNER, heartbeat_at=now, event_ids_to=reserved)
    if not taken:
        return None
    if ended is None:
        ended = RunAttempt.objects.create(
            run=run,
            number=run.attempt,
            owner=run.owner,
            started_at=attempt_started(run),
            ended_at=run.heartbeat_at,
            ending=ending,
        )
    ended.resumed_by, ended.resumed_at = OWNER, now
    RunAttempt.objects.filter(pk=ended.pk).update(resumed_by=OWNER, resumed_at=now)
    previous_owner = ended.owner
    run.attempt, run.owner, run.heartbeat_at, run.event_ids_to = (
        run.attempt + 1,
        OWNER,
        now,
        reserved,
    )
    logger.warning(
        "run %s taken over (attempt %d): %s by %s; resuming it here from its last checkpoint",
        run.pk,
        run.attempt,
        "handed over" if ending == RunAttempt.Ending.HANDED_OVER else "lease expired",
        previous_owner or "a server",
    )
    return Claim(run, Lease(run.pk, run.attempt, now), first_event_id, ended)


def attempt_started(run: Run) -> datetime:
    """When the run's current attempt started: the run's start, or when it was taken over."""
    if run.attempt == 1:
        return run.started_at or run.created_at
    previous = RunAttempt.objects.filter(run=run, number=run.attempt - 1).first()
    return (previous.resumed_at if previous else None) or run.created_at


@sync_to_async
def resumed_from(ended: RunAttempt, checkpoint_id: str) -> None:
    """Note which checkpoint the attempt after `ended` resumed the run from."""
    RunAttempt.objects.filter(pk=ended.pk).update(checkpoint_id=checkpoint_id)
