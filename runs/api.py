"""JSON endpoints over runs: status, cancel, a session's runs (the streams are in asgi.py)."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from accounts.lookups import get_session_or_404
from accounts.ninja_auth import caller_of
from accounts.schemas import ErrorOut
from chat.models import SESSION_ID_PATTERN
from runs import engine
from runs.access import get_run_for, list_session_runs
from runs.models import Run

router = Router(tags=["runs"])

RunId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="The run's id (24 hex).")]
SessionId = Annotated[str, Path(pattern=SESSION_ID_PATTERN)]
CANCEL_WAIT_SECONDS = 1.5
"""How long a cancel waits for the run's outcome before answering with what it sees."""


class RunOut(Schema):
    """A run's record: what it is doing or how it ended, and where its messages are."""

    runId: str = Field(alias="pk")
    sessionId: str = Field(alias="session_id")
    userId: str = Field(alias="user_id")
    status: str = Field(description="queued, running, ok, error, cancelled, interrupted or waiting")
    onDisconnect: str = Field(alias="on_disconnect")
    userMessageId: str | None = Field(alias="user_message_id")
    answerMessageId: str | None = Field(alias="answer_message_id")
    error: str
    lastEventId: int = Field(
        alias="last_event_id", description="The id of the run's last event (once it ended)."
    )
    cancelRequested: str = Field(alias="cancel_requested")
    attempt: int = Field(
        description="Which attempt executes (or executed) the run: 2 and more when another "
        'server took it over (docs/runs.md, "When a server stops or dies").'
    )
    createdAt: datetime = Field(alias="created_at")
    startedAt: datetime | None = Field(alias="started_at")
    finishedAt: datetime | None = Field(alias="finished_at")
    stream: str = Field(description="Join or resume the run's events here (SSE).")

    @staticmethod
    def resolve_stream(run: Run) -> str:
        """Where to join the run's events."""
        return f"/v1/runs/{run.pk}/stream"


class RunsOut(Schema):
    """A session's runs, newest first."""

    sessionId: str
    count: int
    runs: list[RunOut]


class SessionRunsQuery(Schema):
    """Query parameters of the session's run list."""

    limit: int = Field(50, ge=1, le=500, description="How many of the newest runs to return.")


async def get_run_or_404(request: HttpRequest, run_id: str) -> Run:
    """Return the caller's run or raise 404 (the same for another user's run)."""
    run = await get_run_for(caller_of(request), run_id)
    if run is None:
        raise HttpError(404, f"Run {run_id!r} not found")
    return run


@router.get(
    "/runs/{run_id}",
    response={200: RunOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="A run's status",
)
async def run_status(request: HttpRequest, run_id: RunId) -> Run:
    """Return a run's status, times, message ids and last event id."""
    return await get_run_or_404(request, run_id)


@router.post(
    "/runs/{run_id}/cancel",
    response={200: RunOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Cancel a run",
)
async def cancel_run(request: HttpRequest, run_id: RunId) -> Run:
    """Cancel a queued or running run wherever it runs; a finished run is returned unchanged.

    Its streams end with `error` `{code: "cancelled"}`; the run and its metric are recorded
    `cancelled` and no partial answer is stored. Answers once the run has ended, or after
    1.5 s with the status it has then (`cancelRequested` is set).
    """
    run = await get_run_or_404(request, run_id)
    if run.finished:
        return run
    await engine.cancel(run_id, Run.Status.CANCELLED)
    with contextlib.suppress(TimeoutError):  # the run records its end before its last event
        await asyncio.wait_for(engine.until_ended(run_id), CANCEL_WAIT_SECONDS)
    return await get_run_or_404(request, run_id)


@router.get(
    "/sessions/{session_id}/runs",
    response={200: RunsOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="A session's runs",
)
async def session_runs(
    request: HttpRequest, session_id: SessionId, query: Query[SessionRunsQuery]
) -> dict[str, Any]:
    """Return the session's newest `limit` runs, newest first."""
    session = await get_session_or_404(session_id, caller_of(request))
    runs = await list_session_runs(caller_of(request), session.session_id, query.limit)
    return {"sessionId": session.session_id, "count": len(runs), "runs": runs}
