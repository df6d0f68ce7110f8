"""`@ag-ui/client`'s HttpAgent (tests/js) from node.

Its own verifier passes the events, and its messages end with the stored answer.
"""

from __future__ import annotations

import uuid

import httpx

from tests.support.node import JS, run_node

CLIENT = JS / "ag_ui_client.mjs"


def test_http_agent_runs_the_pipeline_and_its_events_pass_the_verifier(server):
    thread, user = f"ag-{uuid.uuid4().hex[:10]}", f"ag-{uuid.uuid4().hex[:8]}"
    seen = run_node(CLIENT, server.url, "devkey", user, thread)
    types = seen["types"]
    assert types[0] == "RUN_STARTED" and types[-1] == "RUN_FINISHED"
    steps = [e["stepName"] for e in seen["events"] if e["type"] == "STEP_STARTED"]
    assert steps == ["planner", "worker", "critic", "synthesizer"]
    assert {"TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END", "TOOL_CALL_RESULT"} <= set(types)
    custom = {e["name"]: e["value"] for e in seen["events"] if e["type"] == "CUSTOM"}
    assert custom["critic_verdict"]["ok"] in {True, False} and len(custom["suggestions"]) == 3
    finished = seen["events"][-1]
    assert finished["usage"][0]["totalTokens"] > 0 and finished["result"]["sessionId"] == thread
    stored = httpx.get(
        f"{server.url}/v1/sessions/{thread}/messages", headers={"Authorization": "Bearer devkey"}
    ).json()["messages"]
    answer = seen["messages"][-1]
    assert answer["role"] == "assistant" and answer["content"] == stored[-1]["content"]
    assert any(m["role"] == "tool" for m in seen["messages"])
