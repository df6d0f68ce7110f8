"""Health, per-session metrics and system vitals."""

from __future__ import annotations

import asyncio
import time

from asgiref.sync import sync_to_async
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count
from django.http import HttpRequest
from ninja import Router, Status

from accounts.ninja_auth import caller_of, require_service
from chat.lookups import get_session_or_404
from chat.models import Message, Session
from chat.schemas import ErrorOut
from telemetry.models import RequestMetric, ToolCall
from telemetry.schemas import HealthOut, SessionMetricsOut, VitalsOut

router = Router(tags=["metrics"])
health_router = Router(tags=["health"])

HEALTH_DB_TIMEOUT_SECONDS = 3.0


def rounded(value: float | None) -> float | None:
    """Round a millisecond figure to 0.1 ms (None stays None)."""
    return None if value is None else round(value, 1)


def ping_database() -> None:
    """Run the cheapest real query the backend offers; raise when the database is unreachable."""
    if settings.USE_MONGODB:
        connection.ensure_connection()
        connection.connection.admin.command("ping")
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")


@health_router.get("/health", auth=None, response={200: HealthOut, 503: HealthOut})
async def health(request: HttpRequest) -> Status[HealthOut]:
    """Report whether the service and its database answer (503 when the database does not)."""
    backend = "mongodb" if settings.USE_MONGODB else "sqlite"
    try:
        await asyncio.wait_for(sync_to_async(ping_database)(), HEALTH_DB_TIMEOUT_SECONDS)
    except Exception:  # noqa: BLE001 - any failure to reach the database means "unreachable"
        return Status(503, HealthOut(status="degraded", database="unreachable", backend=backend))
    return Status(200, HealthOut(status="ok", database="ok", backend=backend))


@router.get(
    "/metrics/{session_id}",
    response={200: SessionMetricsOut, 401: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    summary="Aggregated metrics of a session",
)
async def session_metrics(request: HttpRequest, session_id: str) -> SessionMetricsOut:
    """Return the request count, average TTFT and total time, and tool calls of a session."""
    session = await get_session_or_404(session_id, caller_of(request))
    metrics = RequestMetric.objects.filter(session_id=session.session_id)
    averages = await metrics.aaggregate(
        requests=Count("pk"), ttft=Avg("ttft_ms"), total=Avg("total_time_ms")
    )
    return SessionMetricsOut(
        sessionId=session.session_id,
        totalRequests=averages["requests"],
        avgTtftMs=rounded(averages["ttft"]),
        avgTotalTimeMs=rounded(averages["total"]),
        totalToolCalls=await ToolCall.objects.filter(session_id=session.session_id).acount(),
    )


@router.get(
    "/vitals",
    response={200: VitalsOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    summary="System-wide statistics (service key only)",
)
async def vitals(request: HttpRequest) -> VitalsOut:
    """Return uptime and totals across every session."""
    require_service(request)
    started_at = apps.get_app_config("telemetry").started_at
    averages = await RequestMetric.objects.aaggregate(total=Avg("total_time_ms"))
    return VitalsOut(
        uptime_seconds=round(time.time() - started_at, 1),
        total_sessions=await Session.objects.acount(),
        total_messages=await Message.objects.acount(),
        total_tool_calls=await ToolCall.objects.acount(),
        avg_response_time_ms=rounded(averages["total"]),
    )
