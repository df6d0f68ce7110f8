"""GET /v1/metrics/{id}, /v1/vitals, /health and the OpenAPI docs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from harness.live_server import free_port
from telemetry.models import RequestMetric, ToolCall
from telemetry.rollups import rebuild_all
from tests.support.rollups import read_from_buckets


@pytest.fixture
def measured_session(alice_session):
    """Alice's session with two requests and three tool calls on record."""
    for ttft, total in ((10.0, 100.0), (20.0, 300.0)):
        RequestMetric.objects.create(
            session=alice_session,
            user_id="alice",
            ttft_ms=ttft,
            total_time_ms=total,
            input_tokens=100,
            output_tokens=7,
        )
    for _ in range(3):
        ToolCall.objects.create(session=alice_session, user_id="alice", tool="db.find")
    rebuild_all()
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
        "p50TtftMs": 10.0,
        "p95TtftMs": 20.0,
        "p50TotalTimeMs": 100.0,
        "p95TotalTimeMs": 300.0,
        "statusCounts": {"ok": 2, "error": 0, "cancelled": 0, "interrupted": 0},
        "inputTokens": 200,
        "outputTokens": 14,
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
    assert {
        "uptime_seconds",
        "total_sessions",
        "total_messages",
        "total_tool_calls",
        "avg_response_time_ms",
    } <= set(body), "the original fields stay"
    assert body["window"] is None
    assert body["total_runs"] == 2
    assert read_from_buckets(body["p50_total_ms"], 100.0)
    assert read_from_buckets(body["p95_total_ms"], 300.0)
    assert read_from_buckets(body["p50_ttft_ms"], 10.0)
    assert read_from_buckets(body["p95_ttft_ms"], 20.0)
    assert body["status_counts"] == {"ok": 2, "error": 0, "cancelled": 0, "interrupted": 0}
    assert (body["input_tokens"], body["output_tokens"]) == (200, 14)
    assert body["total_sessions"] == 2
    assert body["total_messages"] == 3
    assert body["total_tool_calls"] == 3
    assert body["avg_response_time_ms"] == 200.0
    assert body["uptime_seconds"] >= 0


def test_vitals_of_a_window_count_only_its_runs(client, auth_headers, measured_session):
    old = timezone.now() - timedelta(hours=3)
    RequestMetric.objects.create(
        session=measured_session, total_time_ms=9000.0, status="error", timestamp=old
    )
    rebuild_all()
    recent = client.get("/v1/vitals?window=1h", headers=auth_headers).json()
    assert recent["window"] == "1h"
    assert recent["total_runs"] == 2
    assert recent["status_counts"]["error"] == 0
    everything = client.get("/v1/vitals", headers=auth_headers).json()
    assert everything["total_runs"] == 3
    assert read_from_buckets(everything["p95_total_ms"], 9000.0)


@pytest.mark.parametrize("window", ["1y", "0h", "abc", "999999d", "-1h"])
def test_a_malformed_window_is_a_422_that_says_what_is_accepted(client, auth_headers, db, window):
    response = client.get(f"/v1/vitals?window={window}", headers=auth_headers)
    assert response.status_code == 422
    assert "window" in str(response.json()["detail"])


def test_percentiles_use_the_nearest_rank_of_many_runs(client, auth_headers, alice_session):
    RequestMetric.objects.bulk_create(
        RequestMetric(session=alice_session, ttft_ms=float(n), total_time_ms=float(n * 10))
        for n in range(1, 101)
    )
    body = client.get("/v1/metrics/alice-s1", headers=auth_headers).json()
    assert (body["p50TtftMs"], body["p95TtftMs"]) == (50.0, 95.0)
    assert (body["p50TotalTimeMs"], body["p95TotalTimeMs"]) == (500.0, 950.0)


def test_vitals_require_a_token(client, db):
    assert client.get("/v1/vitals").status_code == 401


def test_health_needs_no_token_and_reports_the_database(client, db, settings):
    response = client.get("/health")
    assert response.status_code == 200
    backend = settings.DATABASE_BACKEND
    assert response.json() == {"status": "ok", "database": "ok", "backend": backend}


def test_the_openapi_docs_describe_every_endpoint(client, db):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/health",
        "/health/live",
        "/health/ready",
        "/v1/sessions/{session_id}",
        "/v1/sessions/{session_id}/messages",
        "/v1/metrics/{session_id}",
        "/v1/vitals",
    } <= set(paths)


def test_liveness_answers_without_touching_anything(client):
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readiness_checks_the_database(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_readiness_checks_redis_when_it_is_configured(client, db, settings, redis_url):
    settings.REDIS_URL = redis_url
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_readiness_fails_when_redis_does_not_answer(client, db, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "unreachable"},
    }


def test_a_sessions_runs_carry_their_stored_waterfall(client, auth_headers, alice_session):
    timeline = [{"kind": "agent", "name": "planner", "start_ms": 1.0, "end_ms": 2.0, "ok": True}]
    for n in range(3):
        RequestMetric.objects.create(
            session=alice_session,
            total_time_ms=float(n),
            timeline=timeline,
            timestamp=timezone.now() - timedelta(minutes=3 - n),
        )
    body = client.get("/v1/metrics/alice-s1/runs?limit=2", headers=auth_headers).json()
    assert body["sessionId"] == "alice-s1"
    assert [run["totalTimeMs"] for run in body["runs"]] == [1.0, 2.0], "newest two, oldest first"
    assert body["runs"][0]["timeline"] == timeline


def test_the_runs_of_an_unknown_session_are_a_404_and_limits_are_checked(
    client, auth_headers, alice_session
):
    assert client.get("/v1/metrics/nope/runs", headers=auth_headers).status_code == 404
    assert client.get("/v1/metrics/alice-s1/runs?limit=0", headers=auth_headers).status_code == 422
    assert client.get("/v1/metrics/alice-s1/runs").status_code == 401
