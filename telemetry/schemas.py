"""JSON shapes of the metrics, vitals and health endpoints, as in the original README."""

from __future__ import annotations

from ninja import Schema


class SessionMetricsOut(Schema):
    """Aggregated request metrics of one session."""

    sessionId: str
    totalRequests: int
    avgTtftMs: float | None
    avgTotalTimeMs: float | None
    totalToolCalls: int


class VitalsOut(Schema):
    """System-wide statistics."""

    uptime_seconds: float
    total_sessions: int
    total_messages: int
    total_tool_calls: int
    avg_response_time_ms: float | None


class HealthOut(Schema):
    """Liveness and database reachability."""

    status: str
    database: str
    backend: str
