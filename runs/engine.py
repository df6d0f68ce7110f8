"""The run engine's face: what every wire protocol calls, and nothing of any protocol.

- `admit(request)`: open the session, store the run, apply its multitask strategy, start it;
  returns the run's handle (its `run` row and, while it executes here, its task).
- `read_events(run_id, after)`: the events after id `after`, replayed then live through one
  cursor, in batches (None on idle ticks, for heartbeats).
- `cancel(run_id)`: flag the run and wake its owner, wherever it runs.
- `find_run(run_id)`: the run as stored (recorded `interrupted` first if its owner died).
- `until_ended(run_id)`: return once the run's terminal event is readable.
- `collect(run_id)`: every event of the run, for the answers that are not streamed.
- `events_lost(run_id)`: why a run's events are gone before their time (an outage), if so.
- the graph's checkpoints of a session (runs/checkpointing.py): `state_at`, `states_of`,
  `paused_at` (what a paused run waits for), `edit_state` (a new checkpoint with edited values).

It is the only door into the engine for the HTTP edge and the wire protocols
(tests/site/test_architecture.py): what they need besides the verbs is re-exported here, the
request and event types, the runtime and its liveness checks, the run a caller may see, the
session's holder, and deleting a session with its runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from agents.approvals import BadDecisions
from agents.graph import AGENTS
from runs.access import get_run_for
from runs.buffer import IDLE_SECONDS
from runs.checkpointing import Paused, check_resume, paused_at
from runs.events import EventType, RunEvent, ToolCallIds, without_superseded
from runs.executor import STOPS, RunConflict, RunExecutor, RunRuntime, ShuttingDown, get_runtime
from runs.forget import delete_session
from runs.liveness import Liveness
from runs.models import Run
from runs.pipeline import prepare_run
from runs.requests import Resume, RunRequest
from runs.states import BadEdit, edit_state, shown_values, state_at, states_of
from runs.store import SessionForbidden, get_run, is_run_id, session_holder

__all__ = [
    "AGENTS",
    "BadDecisions",
    "BadEdit",
    "EventType",
    "check_resume",
    "Paused",
    "Resume",
    "edit_state",
    "paused_at",
    "shown_values",
    "state_at",
    "states_of",
    "IDLE_SECONDS",
    "STOPS",
    "Liveness",
    "RunConflict",
    "RunEvent",
    "RunExecutor",
    "RunRequest",
    "RunRuntime",
    "SessionForbidden",
    "ShuttingDown",
    "ToolCallIds",
    "admit",
    "cancel",
    "collect",
    "delete_session",
    "events_lost",
    "find_run",
    "get_run_for",
    "get_runtime",
    "is_run_id",
    "last_event_id",
    "read_events",
    "session_holder",
    "until_ended",
    "without_superseded",
]


async def admit(
    request: RunRequest, *, received_at: float, check_connections: bool = False
) -> RunExecutor:
    """Admit `request` (received at `received_at`, a perf_counter reading) and start it.

    `check_connections` replaces broken or expired database connections in the same trip.

    Raises:
        SessionForbidden: the session belongs to another user (nothing is stored).
        RunConflict: `reject` while another run holds the session.
        ShuttingDown: the process is stopping.
    """
    runtime = await get_runtime()
    chat = prepare_run(request, received_at=received_at)
    return await runtime.admit(request, chat, check_connections=check_connections)


async def read_events(
    run_id: str, after: int, *, idle: float = IDLE_SECONDS
) -> AsyncIterator[list[RunEvent] | None]:
    """Yield the run's events after id `after` in batches, up to its terminal event."""
    runtime = await get_runtime()
    async for batch in runtime.buffer.read_batches(run_id, after, idle=idle):
        yield batch


async def cancel(run_id: str, status: str = Run.Status.CANCELLED) -> Run | None:
    """Stop the run with `status` (cancelled or interrupted); return it as it stands."""
    runtime = await get_runtime()
    return await runtime.cancel(run_id, status)


async def find_run(run_id: str) -> Run | None:
    """Return the stored run, recorded interrupted first if its owner's lease ran out."""
    return await get_run(run_id)


async def last_event_id(run_id: str) -> int | None:
    """Return the id of the run's last retained event; None once its events expired."""
    runtime = await get_runtime()
    return await runtime.buffer.last_id(run_id)


async def events_lost(run_id: str) -> str | None:
    """Why the run's events are gone before their time (an outage of Redis), else None."""
    runtime = await get_runtime()
    return await runtime.buffer.lost(run_id)


async def until_ended(run_id: str) -> None:
    """Return once the run's terminal event is in its buffer (or its events expired)."""
    after = await last_event_id(run_id)
    if after is None:
        return
    async for batch in read_events(run_id, max(after - 1, 0)):
        if batch is None:
            run = await find_run(run_id)
            if run is None or run.finished:
                return


async def collect(run_id: str) -> list[RunEvent]:
    """Every event of the run, to its terminal one (for the answers that are not streamed).

    Stops early, without a terminal event, if the run ended unseen. A run taken over by
    another attempt comes as one attempt (what the later one redid is left out).
    """
    checks = Liveness(await get_runtime(), run_id)
    events: list[RunEvent] = []
    async for batch in read_events(run_id, 0):
        if batch is not None:
            events += batch
        elif await checks.run_is_gone():
            break
    return without_superseded(events)
