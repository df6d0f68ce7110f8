"""A live daphne exports each run's GenAI span tree to a loopback OTLP/HTTP collector."""

from __future__ import annotations

import httpx

from harness.live_server import live_server
from operations.client import SSEParser, chat_body
from tests.support.otlp_collector import otlp_collector
from tests.support.waiting import until


def test_a_run_arrives_at_the_collector_as_one_span_tree(tmp_path, template_db):
    with otlp_collector() as collector:
        env = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_SERVICE_NAME": "chat-under-test",
        }
        with live_server(tmp_path, template_db=template_db, **env) as server:
            response = httpx.post(
                f"{server.url}/v1/chat/stream",
                json=chat_body("otlp-1", "alice", "What is my name?"),
                headers={"Authorization": "Bearer devkey"},
            )
            assert SSEParser().feed(response.text)[-1].event == "done"
            until(
                lambda: any(s["name"] == "invoke_workflow" for s in collector.received()),
                timeout=20,
                what="the run's root span exported",
            )
        spans = collector.received()
    root = next(span for span in spans if span["name"] == "invoke_workflow")
    assert root["resource"]["service.name"] == "chat-under-test"
    assert root["attributes"]["gen_ai.conversation.id"] == "otlp-1"
    assert root["attributes"]["user.id"] == "alice"
    assert root["parent_span_id"] == ""
    run = [span for span in spans if span["trace_id"] == root["trace_id"]]
    agents = [span for span in run if span["name"].startswith("invoke_agent ")]
    assert {span["name"] for span in agents} == {
        "invoke_agent planner",
        "invoke_agent worker",
        "invoke_agent critic",
        "invoke_agent synthesizer",
    }
    assert all(span["parent_span_id"] == root["span_id"] for span in agents)
    worker_ids = {span["span_id"] for span in agents if span["name"] == "invoke_agent worker"}
    tools = [span for span in run if span["name"].startswith("execute_tool ")]
    assert tools and all(span["parent_span_id"] in worker_ids for span in tools)
    assert tools[0]["attributes"]["gen_ai.operation.name"] == "execute_tool"
