"""JSON shapes of the metrics, vitals and health endpoints, as in the original README."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class SessionMetricsOut(Schema):
    """Aggregated request metrics of one session."""

    sessionId: str
    totalRequests: int
    avgTtftMs: float | None
    avgTotalTimeMs: float | None
    totalToolCalls: int
    p50TtftMs: float | None
    p95TtftMs: float | None
    p50TotalTimeMs: float | None
    p95TotalTimeMs: float | None
    statusCounts: dict[str, int]
    inputTokens: int
    outputTokens: int


class VitalsOut(Schema):
    """System-wide statistics."""

    uptime_seconds: float
    total_sessions: int
    total_messages: int
    total_tool_calls: int
    avg_response_time_ms: float | None
    window: str | None = Field(
        None, description="The window the run figures cover (all time when null)."
    )
    total_runs: int
    p50_ttft_ms: float | None
    p95_ttft_ms: float | None
    p50_total_ms: float | None
    p95_total_ms: float | None
    status_counts: dict[str, int]
    input_tokens: int
    output_tokens: int


class VitalsQuery(Schema):
    """Query parameters of the vitals endpoint."""

    window: str | None = Field(
        None, description="Only runs of the last `30m`, `1h`, `7d`... (default: all time)."
    )


class ProbeOut(Schema):
    """A liveness or readiness answer, with each dependency's state."""

    status: str
    checks: dict[str, str] = {}


class HealthOut(Schema):
    """Liveness and database reachability."""

    status: str
    database: str
    backend: str


class RunTraceOut(Schema):
    """One stored run of a session: outcome, timings, tokens and its waterfall."""

    messageId: str | None
    timestamp: datetime
    status: str
    ttftMs: float | None
    totalTimeMs: float
    toolCallCount: int
    inputTokens: int
    outputTokens: int
    agentTimings: dict[str, float]
    timeline: list[dict[str, Any]]


class SessionRunsOut(Schema):
    """A session's newest runs, oldest first."""

    sessionId: str
    runs: list[RunTraceOut]


class RunsQuery(Schema):
    """Query parameters of the session's runs endpoint."""

    limit: int = Field(20, ge=1, le=200, description="How many of the newest runs to return.")
