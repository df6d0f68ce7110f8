"""A session's graph state for people to read and correct: `/v1/sessions/{id}/state`, history.

Every checkpoint of the session's graph is a state (docs/checkpoints.md): what the agents had
decided at that step (`values`: the prompt, the plan, findings, the critic's verdict, the
decisions on writes, the answer), which agents come `next` and, for a run paused for a
person, what it waits for (`interrupts`). A `PATCH` writes a new checkpoint with corrected
values (an edited plan, say); the run that resumes the session (`POST /v1/chat/stream` with
`resume`) goes on from it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from langgraph.types import StateSnapshot
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from accounts.lookups import get_session_or_404
from accounts.ninja_auth import caller_of
from accounts.schemas import ErrorOut
from runs import engine

router = Router(tags=["checkpoints"])
ERRORS = {401: ErrorOut, 404: ErrorOut, 429: ErrorOut}


class StateOut(Schema):
    """One checkpoint of the session's graph."""

    checkpointId: str
    parentCheckpointId: str | None
    step: int
    source: str = Field(description="input, loop, update or fork: what wrote the checkpoint.")
    runId: str | None
    createdAt: str | None
    next: list[str] = Field(description="The agents that run next ([] once the run ended).")
    interrupts: list[dict[str, Any]] = Field(description="What a paused run waits for.")
    values: dict[str, Any]


class HistoryOut(Schema):
    """The session's checkpoints, newest first."""

    states: list[StateOut]


class StateQuery(Schema):
    """Which checkpoint to read."""

    checkpointId: str | None = Field(None, max_length=64, description="Default: the latest.")


class HistoryQuery(Schema):
    """A page of the history."""

    limit: int = Field(10, ge=1, le=1000)
    before: str | None = Field(None, max_length=64, description="Checkpoints before this one.")


class StateEdit(Schema):
    """Values to write as if an agent had written them."""

    values: dict[str, Any] = Field(description="prompt, plan, verdict or answer.")
    asAgent: str | None = Field(None, description="The agent that writes them (its next runs).")
    checkpointId: str | None = Field(None, max_length=64, description="Default: the latest.")


def state_out(snapshot: StateSnapshot) -> dict[str, Any]:
    """A snapshot as the native API shows it."""
    assert snapshot.config is not None
    metadata = snapshot.metadata or {}
    parent = snapshot.parent_config
    return {
        "checkpointId": snapshot.config["configurable"]["checkpoint_id"],
        "parentCheckpointId": parent["configurable"]["checkpoint_id"] if parent else None,
        "step": metadata.get("step", 0),
        "source": metadata.get("source", ""),
        "runId": metadata.get("run_id"),
        "createdAt": snapshot.created_at,
        "next": list(snapshot.next),
        "interrupts": [{"id": i.id, "value": i.value} for i in snapshot.interrupts],
        "values": engine.shown_values(snapshot),
    }


async def state_or_404(session_id: str, checkpoint_id: str) -> StateSnapshot:
    """The session's state at the checkpoint (its latest for ""); 404 when there is none."""
    snapshot = await engine.state_at(session_id, checkpoint_id)
    if snapshot is None:
        raise HttpError(404, "No such checkpoint: the session's graph has not run there")
    return snapshot


@router.get(
    "/sessions/{session_id}/state",
    response={200: StateOut, **ERRORS},
    summary="The session's graph state (at a checkpoint)",
)
async def get_state(
    request: HttpRequest, session_id: str, query: Query[StateQuery]
) -> dict[str, Any]:
    """The latest checkpoint of the session's graph, or the one named."""
    session = await get_session_or_404(session_id, caller_of(request))
    return state_out(await state_or_404(session.session_id, query.checkpointId or ""))


@router.get(
    "/sessions/{session_id}/history",
    response={200: HistoryOut, **ERRORS},
    summary="The session's graph checkpoints, newest first",
)
async def get_history(
    request: HttpRequest, session_id: str, query: Query[HistoryQuery]
) -> dict[str, Any]:
    """A page of the session's checkpoints."""
    session = await get_session_or_404(session_id, caller_of(request))
    snapshots = await engine.states_of(
        session.session_id, limit=query.limit, before=query.before or ""
    )
    return {"states": [state_out(snapshot) for snapshot in snapshots]}


@router.patch(
    "/sessions/{session_id}/state",
    response={200: StateOut, 409: ErrorOut, 422: ErrorOut, **ERRORS},
    summary="Correct the session's graph state (a new checkpoint)",
)
async def edit_state(request: HttpRequest, session_id: str, edit: StateEdit) -> dict[str, Any]:
    """Write the values as a new checkpoint; a resume of the session goes on from it."""
    session = await get_session_or_404(session_id, caller_of(request))
    if session.active_run_id:
        raise HttpError(409, "The session has an active run: its state cannot be edited")
    start = edit.checkpointId or ""
    await state_or_404(session.session_id, start)
    try:
        written = await engine.edit_state(
            session.session_id, edit.values, as_node=edit.asAgent, checkpoint_id=start
        )
    except engine.BadEdit as exc:
        raise HttpError(422, str(exc).replace("as_node", "asAgent")) from None
    return state_out(await state_or_404(session.session_id, written))
