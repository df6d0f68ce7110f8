"""`/metrics` of real daphne processes, parsed as Prometheus parses it, after real chats."""

from __future__ import annotations

import json

import httpx
from prometheus_client.parser import text_string_to_metric_families

from harness.live_server import live_server
from operations.client import SSEParser, chat_body

HEADERS = {"Authorization": "Bearer devkey"}


def chat(url: str, session_id: str, prompt: str = "What is AI?") -> str:
    """Make one chat request and return the last event's type."""
    response = httpx.post(
        f"{url}/v1/chat/stream", json=chat_body(session_id, "alice", prompt), headers=HEADERS
    )
    return SSEParser().feed(response.text)[-1].event


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by name and sorted labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float:
    """One sample's value (0 when absent)."""
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_two_processes_expose_the_runs_of_both(tmp_path, template_db):
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(multiproc)}
    with (
        live_server(tmp_path / "a", template_db=template_db, **env) as first,
        live_server(tmp_path / "b", sqlite_path=first.sqlite_path, **env) as second,
    ):
        assert chat(first.url, "prom-1") == "done"
        assert chat(first.url, "prom-2", "What is my name?") == "done"
        assert chat(second.url, "prom-3") == "done"
        rejected = httpx.post(
            f"{second.url}/v1/chat/stream",
            content=b"{",
            headers={**HEADERS, "Content-Type": "application/json"},
        )
        assert rejected.status_code == 400
        for server in (first, second):
            response = httpx.get(f"{server.url}/metrics")
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/plain")
            found = samples(response.text)
            assert value(found, "chat_runs_total", status="ok") == 3
            assert value(found, "chat_ttft_seconds_count") == 3
            assert value(found, "chat_run_duration_seconds_count", status="ok") == 3
            assert value(found, "chat_agent_duration_seconds_count", agent="planner") == 3
            assert value(found, "chat_agent_duration_seconds_count", agent="synthesizer") == 3
            assert value(found, "chat_tokens_streamed_count") == 3
            assert value(found, "chat_tokens_streamed_sum") > 0
            assert (
                value(found, "chat_tool_call_duration_seconds_count", tool="db.find", ok="true")
                >= 1
            )
            assert value(found, "chat_streams_in_flight") == 0
            assert value(found, "http_responses_total", status_class="4xx") == 1
            assert value(found, "chat_ttft_seconds_bucket", le="0.0005") <= 3
            assert value(found, "chat_ttft_seconds_bucket", le="+Inf") == 3


def test_metrics_are_refused_to_others_and_served_with_the_token(tmp_path, template_db):
    env = {"METRICS_ALLOWED_IPS": "10.9.8.7,192.168.0.0/16", "METRICS_TOKEN": "scrape-secret"}
    with live_server(tmp_path, template_db=template_db, **env) as server:
        assert chat(server.url, "prom-token") == "done"
        refused = httpx.get(f"{server.url}/metrics")
        assert refused.status_code == 403
        assert "METRICS_TOKEN" in refused.json()["detail"]
        wrong = httpx.get(f"{server.url}/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403
        served = httpx.get(
            f"{server.url}/metrics", headers={"Authorization": "Bearer scrape-secret"}
        )
        assert served.status_code == 200
        found = samples(served.text)
        assert value(found, "chat_runs_total", status="ok") == 1
        assert value(found, "http_responses_total", status_class="4xx") == 2
        assert served.headers["x-request-id"]


def test_the_server_logs_one_json_summary_line_per_run_with_its_ids(tmp_path, template_db):
    with live_server(tmp_path, template_db=template_db, LOG_FORMAT="json") as server:
        response = httpx.post(
            f"{server.url}/v1/chat/stream",
            json=chat_body("log-1", "alice", "My name is Alice"),
            headers={**HEADERS, "X-Request-ID": "req-abc-123"},
        )
        done = SSEParser().feed(response.text)[-1]
        assert done.event == "done"
        assert response.headers["x-request-id"] == "req-abc-123"
        lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    summaries = [line for line in lines if line.get("event") == "run_summary"]
    assert len(summaries) == 1
    summary = summaries[0]
    assert summary["level"] == "INFO" and summary["status"] == "ok"
    assert summary["request_id"] == "req-abc-123"
    assert (summary["session_id"], summary["user_id"]) == ("log-1", "alice")
    assert len(summary["run_id"]) == 24
    assert summary["ttft_ms"] > 0 and summary["total_ms"] >= summary["ttft_ms"]
    assert {"input_tokens", "output_tokens", "tool_calls", "agents_ms"} <= set(summary)
    usage = done.data["usage"]
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0, "the model's estimate"
    assert (summary["input_tokens"], summary["output_tokens"]) == (
        usage["input_tokens"],
        usage["output_tokens"],
    )
    assert not any("My name is Alice" in json.dumps(line) for line in lines)
