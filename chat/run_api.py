"""JSON endpoints over runs: status, cancel, a session's runs (the streams are in asgi.py)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from accounts.ninja_auth import caller_of
from chat.ids import SESSION_ID_PATTERN
from chat.lookups import get_session_or_404
from chat.models import Run
from chat.run_access import get_run_for, list_session_runs
from chat.run_executor import get_runtime
from chat.schemas import ErrorOut

router = Router(tags=["runs"])

RunId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="The run's id (24 hex).")]
SessionId = Annotated[str, Path(pattern=SESSION_ID_PATTERN)]
CANCEL_WAIT_SECONDS = 1.5
"""How long a cancel waits for the run's outcome before answering with what it sees."""


class RunOut(Schema):
    """A run's record: what it is doing or how it ended, and where its messages are."""

    runId: str
    sessionId: str
    userId: str
    status: str = Field(description="queued, running, ok, error, cancelled or interrupted")
    onDisconnect: str
    userMessageId: str | None
    answerMessageId: str | None
    error: str
    lastEventId: int = Field(description="The id of the run's last event (once it ended).")
    cancelRequested: str
    createdAt: datetime
    startedAt: datetime | None
    finishedAt: datetime | None
    stream: str = Field(description="Join or resume the run's events here (SSE).")


class RunsOut(Schema):
    """A session's runs, newest first."""

    sessionId: str
    count: int
    runs: list[RunOut]


class RunsQuery(Schema):
    """Query parameters of the session's run list."""

    limit: int = Field(50, ge=1, le=500, description="How many of the newest runs to return.")


def run_out(run: Run) -> RunOut:
    """Shape a stored run as the API returns it."""
    return RunOut(
        runId=run.pk,
        sessionId=run.session_id,
        userId=run.user_id,
        status=run.status,
        onDisconnect=run.on_disconnect,
        userMessageId=run.user_message_id,
        answerMessageId=run.answer_message_id,
        error=run.error,
        lastEventId=run.last_event_id,
        cancelRequested=run.cancel_requested,
        createdAt=run.created_at,
        startedAt=run.started_at,
        finishedAt=run.finished_at,
        stream=f"/v1/runs/{run.pk}/stream",
    )


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
async def get_run(request: HttpRequest, run_id: RunId) -> RunOut:
    """Return a run's status, times, message ids and last event id."""
    return run_out(await get_run_or_404(request, run_id))


@router.post(
    "/runs/{run_id}/cancel",
    response={200: RunOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Cancel a run",
)
async def cancel_run(request: HttpRequest, run_id: RunId) -> RunOut:
    """Cancel a queued or running run wherever it runs; a finished run is returned unchanged.

    Its streams end with `error` `{code: "cancelled"}`; the run and its metric are recorded
    `cancelled` and no partial answer is stored. Answers once the run has ended, or after
    1.5 s with the status it has then (`cancelRequested` is set).
    """
    run = await get_run_or_404(request, run_id)
    if run.finished:
        return run_out(run)
    runtime = await get_runtime()
    await runtime.cancel(run_id, Run.Status.CANCELLED)
    deadline = time.monotonic() + CANCEL_WAIT_SECONDS
    while not run.finished and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        run = await get_run_or_404(request, run_id)
    return run_out(run)


@router.get(
    "/sessions/{session_id}/runs",
    response={200: RunsOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="A session's runs",
)
async def session_runs(
    request: HttpRequest, session_id: SessionId, query: Query[RunsQuery]
) -> RunsOut:
    """Return the session's newest `limit` runs, newest first."""
    session = await get_session_or_404(session_id, caller_of(request))
    runs = await list_session_runs(caller_of(request), session.session_id, query.limit)
    return RunsOut(sessionId=session.session_id, count=len(runs), runs=[run_out(r) for r in runs])
