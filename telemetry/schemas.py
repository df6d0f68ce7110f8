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
    """Whether the process's dependencies answer: the database, and Redis when REDIS_URL is set."""

    status: str
    database: str
    backend: str
    redis: str | None = Field(None, description="ok or unreachable; absent without REDIS_URL")


class RunTraceOut(Schema):
    """One stored run of a session: outcome, timings, tokens and its waterfall."""

    messageId: str | None = Field(alias="message_id")
    timestamp: datetime
    status: str
    ttftMs: float | None = Field(alias="ttft_ms")
    totalTimeMs: float = Field(alias="total_time_ms")
    toolCallCount: int = Field(alias="tool_call_count")
    inputTokens: int = Field(alias="input_tokens")
    outputTokens: int = Field(alias="output_tokens")
    agentTimings: dict[str, float] = Field(alias="agent_timings")
    timeline: list[dict[str, Any]]

    @staticmethod
    def resolve_agentTimings(metric: Any) -> dict[str, float]:  # noqa: N802 (ninja's name)
        """An empty mapping for a metric stored without agent timings."""
        return metric.agent_timings or {}

    @staticmethod
    def resolve_timeline(metric: Any) -> list[dict[str, Any]]:
        """An empty list for a metric stored without a timeline."""
        return metric.timeline or []


class SessionTracesOut(Schema):
    """A session's newest runs, oldest first."""

    sessionId: str
    runs: list[RunTraceOut]


class TracesQuery(Schema):
    """Query parameters of the session's run traces endpoint."""

    limit: int = Field(20, ge=1, le=200, description="How many of the newest runs to return.")
