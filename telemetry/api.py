"""Health, per-session metrics and system vitals."""

from __future__ import annotations

import time
from typing import Any

from asgiref.sync import sync_to_async
from django.apps import apps
from django.conf import settings
from django.db.models import Avg, Count
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import HttpError

from accounts.lookups import get_session_or_404
from accounts.ninja_auth import caller_of, require_service
from accounts.schemas import ErrorOut
from chat.models import Message, Session
from telemetry.models import RequestMetric, ToolCall
from telemetry.probes import readiness
from telemetry.rollup_queries import run_figures
from telemetry.schemas import (
    HealthOut,
    ProbeOut,
    SessionMetricsOut,
    SessionTracesOut,
    TracesQuery,
    VitalsOut,
    VitalsQuery,
)
from telemetry.stats import BadWindow, asummary, parse_window

router = Router(tags=["metrics"])
health_router = Router(tags=["health"])


def rounded(value: float | None) -> float | None:
    """Round a millisecond figure to 0.1 ms (None stays None)."""
    return None if value is None else round(value, 1)


@health_router.get(
    "/health", auth=None, response={200: HealthOut, 503: HealthOut}, exclude_none=True
)
async def health(request: HttpRequest) -> Status[HealthOut]:
    """Report whether the database (and Redis, when set) answer: 503 `degraded` when not."""
    checks = await readiness()
    ok = all(state == "ok" for state in checks.values())
    report = HealthOut(
        status="ok" if ok else "degraded",
        database=checks["database"],
        backend=settings.DATABASE_BACKEND,
        redis=checks.get("redis"),
    )
    return Status(200 if ok else 503, report)


@health_router.get("/health/live", auth=None, response={200: ProbeOut})
async def live(request: HttpRequest) -> ProbeOut:
    """Answer 200 while the process serves requests (no dependency is checked)."""
    return ProbeOut(status="ok")


@health_router.get("/health/ready", auth=None, response={200: ProbeOut, 503: ProbeOut})
async def ready(request: HttpRequest) -> Status[ProbeOut]:
    """Answer 200 when the database (and Redis, when configured) answer; 503 otherwise."""
    checks = await readiness()
    ok = all(state == "ok" for state in checks.values())
    return Status(200 if ok else 503, ProbeOut(status="ok" if ok else "unavailable", checks=checks))


@router.get(
    "/metrics/{session_id}",
    response={200: SessionMetricsOut, 401: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    summary="Aggregated metrics of a session",
)
async def session_metrics(request: HttpRequest, session_id: str) -> SessionMetricsOut:
    """Return a session's request count, TTFT and total (averages, p50, p95), statuses, tokens."""
    session = await get_session_or_404(session_id, caller_of(request))
    metrics = RequestMetric.objects.filter(session_id=session.session_id)
    averages = await metrics.aaggregate(
        requests=Count("pk"), ttft=Avg("ttft_ms"), total=Avg("total_time_ms")
    )
    figures = await asummary(metrics)
    return SessionMetricsOut(
        p50TtftMs=figures["p50_ttft_ms"],
        p95TtftMs=figures["p95_ttft_ms"],
        p50TotalTimeMs=figures["p50_total_ms"],
        p95TotalTimeMs=figures["p95_total_ms"],
        statusCounts=figures["status_counts"],
        inputTokens=figures["input_tokens"],
        outputTokens=figures["output_tokens"],
        sessionId=session.session_id,
        totalRequests=averages["requests"],
        avgTtftMs=rounded(averages["ttft"]),
        avgTotalTimeMs=rounded(averages["total"]),
        totalToolCalls=await ToolCall.objects.filter(session_id=session.session_id).acount(),
    )


@router.get(
    "/metrics/{session_id}/runs",
    response={200: SessionTracesOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="A session's runs with their stored traces",
)
async def session_traces(
    request: HttpRequest, session_id: str, query: Query[TracesQuery]
) -> dict[str, Any]:
    """Return the session's newest `limit` runs, oldest first, each with its waterfall."""
    session = await get_session_or_404(session_id, caller_of(request))
    newest = RequestMetric.objects.filter(session_id=session.session_id).order_by("-timestamp")
    rows = [metric async for metric in newest[: query.limit]]
    rows.reverse()
    return {"sessionId": session.session_id, "runs": rows}


@router.get(
    "/vitals",
    response={200: VitalsOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="System-wide statistics (service key only)",
)
async def vitals(request: HttpRequest, query: Query[VitalsQuery]) -> VitalsOut:
    """Return uptime and totals; run figures (percentiles, statuses, tokens) over `window`.

    The run figures come from the rollups: percentiles are read from their histograms, and a
    window starts at the minute.
    """
    require_service(request)
    started_at = apps.get_app_config("telemetry").started_at
    start = None
    if query.window:
        try:
            start = timezone.now() - parse_window(query.window)
        except BadWindow as bad:
            raise HttpError(422, str(bad)) from None
    return VitalsOut(
        window=query.window,
        **await sync_to_async(run_figures)(start),
        uptime_seconds=round(time.time() - started_at, 1),
        total_sessions=await Session.objects.acount(),
        total_messages=await Message.objects.acount(),
        total_tool_calls=await ToolCall.objects.acount(),
    )
