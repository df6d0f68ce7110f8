"""Taking runs over: a server resumes the runs of stopped or dead processes.

Every RUN_RECOVERY_POLL_SECONDS (and at once when it starts) a server claims the runs whose
lease ran out or that were handed over (runs/leases.py) and resumes each from its last
checkpoint: the thread's latest, when this run wrote it and work is left; otherwise from the
run's start, with the prompt already stored. The attempt's first event is `resumed`:

    {"attempt": 2, "reason": "handed_over" | "lease_expired", "supersedes": N,
     "checkpoint": {"checkpoint_id": …} | null}

Every event of the earlier attempts with an id above N is void: the agents that streamed
them are redone (a client drops their text and tool calls). Ids stay unique within the run:
the attempt's start past every id an earlier one could use.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace

from asgiref.sync import sync_to_async
from django.conf import settings

from chat.models import Session
from memory.context import pack
from runs.checkpointing import Paused, paused_at
from runs.events import EventType, RunEvent
from runs.executor import RunExecutor, RunRuntime, get_runtime
from runs.leases import Claim, claim_runs, resumed_from
from runs.models import Run
from runs.pipeline import ChatRun, prepare_run
from runs.requests import Resume, RunRequest, request_from_json
from runs.store import own_prompt_id
from runs.turns import Turn
from telemetry.outages import Repeating

logger = logging.getLogger(__name__)


class Recovery:
    """A server's background work: take over the runs nobody executes, and resume them."""

    async def run(self) -> None:
        """Sweep at once, then every RUN_RECOVERY_POLL_SECONDS, until the server stops."""
        runtime = await get_runtime()
        attempts = Repeating(logger, "looking for runs to take over")
        while not runtime.shutting_down:
            try:
                await sweep(runtime)
            except Exception as exc:  # the next sweep tries again; leases keep running out
                await attempts.failed(exc)
            else:
                attempts.worked()
            await asyncio.sleep(settings.RUN_RECOVERY_POLL_SECONDS)


async def sweep(runtime: RunRuntime) -> int:
    """Claim what is to be taken over and resume it here; return how many runs were resumed."""
    found = await claim_runs(exclude=list(runtime.executors))
    for run, code, message in found.abandoned:
        await runtime.end_abandoned(run, code, message)
        await runtime.signals.session_freed(run.session_id)  # a run queued behind it goes on
    resumed = 0
    for claim in found.claims:
        if runtime.shutting_down:
            break  # the claim's lease runs out again: another process takes it
        try:
            await resume(runtime, claim)
        except Exception:
            # Its lease runs out, and the next claim counts one more attempt.
            logger.exception("resuming run %s failed", claim.run.pk)
        else:
            resumed += 1
    return resumed


async def resume(runtime: RunRuntime, claim: Claim) -> None:
    """Execute a claimed run here, from its own last checkpoint or from its start."""
    run = claim.run
    stored = request_from_json(run.request)
    session = await sync_to_async(Session.objects.get)(session_id=run.session_id)
    paused = await paused_at(run.session_id) if run.status == Run.Status.RUNNING else None
    own = paused if paused is not None and paused.run_id == run.pk else None
    chat = await prepared(stored, run, session, own)
    earlier = await runtime.buffer.adopt(run.pk)
    executor = RunExecutor(
        runtime, run, chat, lease=claim.lease, first_event_id=claim.first_event_id
    )
    executor.holds_session = run.status == Run.Status.RUNNING
    checkpoint = None
    if own is not None:
        checkpoint = own.checkpoint
        await resumed_from(claim.ended, own.checkpoint_id)
    done = 0 if own is None else own.passes - own.passes_before
    resumed = {
        "attempt": claim.lease.attempt,
        "reason": claim.ended.ending,
        "supersedes": superseded_after(earlier, done, started=executor.holds_session),
        "checkpoint": checkpoint,
    }
    await runtime.take_over(executor, resumed)


async def prepared(stored: RunRequest, run: Run, session: Session, own: Paused | None) -> ChatRun:
    """The pipeline of a run taken over: going on from its checkpoint, or again from its start."""
    request = stored
    if own is not None:  # no input: the graph goes on from the run's own latest checkpoint
        request = replace(stored, resume=Resume(), prompt="", checkpoint_id="")
    chat = prepare_run(request, received_at=time.perf_counter())
    chat.record.session = session
    chat.taken_over = own is not None
    if own is None and stored.resume is None and run.status == Run.Status.RUNNING:
        turn = await reopened_turn(session, run, stored.prompt)
        if turn is not None:
            chat.opened(turn)
    return chat


@sync_to_async
def reopened_turn(session: Session, run: Run, prompt: str) -> Turn | None:
    """The turn a run opened before its attempt ended: its stored prompt, its context again.

    None when its prompt is not stored yet (it was queued): the run opens its turn as it
    starts. The context is packed again: the prompt has no answer, so it is left out.
    """
    # A queued run that started records its prompt's id only when it ends.
    message_id = run.user_message_id or own_prompt_id(run)
    if message_id is None:
        return None
    return Turn(pack(session, prompt), message_id)


def superseded_after(earlier: list[RunEvent], done: int, *, started: bool) -> int:
    """The id after which the earlier attempts' events are void (this attempt redoes them).

    `earlier` are the events stored so far (none when they died with their process), seen
    as a client that applied each `resumed` has them; `done` is how many of the run's agent
    passes the checkpoint it goes on from holds. Going on from there, every event from the
    next agent's start is redone; going again from the start, every event after `run` (id
    1, always). When the earlier events are not all known (lost with their process, or to
    an outage of Redis), every event after `run` is void too. A run that had not started
    (queued) redoes nothing.
    """
    kept: list[RunEvent] = []
    for event in earlier:
        if event.event == EventType.RESUMED:
            kept = [e for e in kept if e.id <= event.data["supersedes"]]
            continue
        kept.append(event)
    if not started:
        return kept[-1].id if kept else 1
    if done == 0 or not kept or kept[0].id != 1:
        return 1  # again from the start, or what came before is not all known: void it all
    starts = [n for n, e in enumerate(kept) if e.event == EventType.AGENT and is_start(e)]
    if len(starts) <= done:
        return kept[-1].id
    return kept[starts[done] - 1].id


def is_start(event: RunEvent) -> bool:
    """Whether an `agent` event says an agent started."""
    return event.data.get("status") == "started"
