"""GET /v1/metrics/{id}, /v1/vitals, /health and the OpenAPI docs."""

from __future__ import annotations

import pytest

from telemetry.models import RequestMetric, ToolCall


@pytest.fixture
def measured_session(alice_session):
    """Alice's session with two requests and three tool calls on record."""
    for ttft, total in ((10.0, 100.0), (20.0, 300.0)):
        RequestMetric.objects.create(session=alice_session, ttft_ms=ttft, total_time_ms=total)
    for _ in range(3):
        ToolCall.objects.create(session=alice_session, user_id="alice", tool="db.find")
    return alice_session


def test_metrics_aggregate_a_sessions_requests(client, auth_headers, measured_session):
    response = client.get("/v1/metrics/alice-s1", headers=auth_headers)
    assert response.status_code == 200
    assert response.json() == {
        "sessionId": "alice-s1",
        "totalRequests": 2,
        "avgTtftMs": 15.0,
        "avgTotalTimeMs": 200.0,
        "totalToolCalls": 3,
    }


def test_metrics_of_a_session_without_requests_have_null_averages(
    client, auth_headers, alice_session
):
    body = client.get("/v1/metrics/alice-s1", headers=auth_headers).json()
    assert body["totalRequests"] == 0
    assert body["avgTtftMs"] is None


def test_metrics_of_an_unknown_session_are_a_404(client, auth_headers, db):
    response = client.get("/v1/metrics/nope", headers=auth_headers)
    assert response.status_code == 404
    assert "detail" in response.json()


def test_metrics_require_a_token(client, measured_session):
    assert client.get("/v1/metrics/alice-s1").status_code == 401


def test_vitals_count_everything(client, auth_headers, measured_session, bob_session):
    response = client.get("/v1/vitals", headers=auth_headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "uptime_seconds",
        "total_sessions",
        "total_messages",
        "total_tool_calls",
        "avg_response_time_ms",
    }
    assert body["total_sessions"] == 2
    assert body["total_messages"] == 3
    assert body["total_tool_calls"] == 3
    assert body["avg_response_time_ms"] == 200.0
    assert body["uptime_seconds"] >= 0


def test_vitals_require_a_token(client, db):
    assert client.get("/v1/vitals").status_code == 401


def test_health_needs_no_token_and_reports_the_database(client, db, settings):
    response = client.get("/health")
    assert response.status_code == 200
    backend = "mongodb" if settings.USE_MONGODB else "sqlite"
    assert response.json() == {"status": "ok", "database": "ok", "backend": backend}


def test_the_openapi_docs_describe_every_endpoint(client, db):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/health",
        "/v1/sessions/{session_id}",
        "/v1/sessions/{session_id}/messages",
        "/v1/metrics/{session_id}",
        "/v1/vitals",
    } <= set(paths)
