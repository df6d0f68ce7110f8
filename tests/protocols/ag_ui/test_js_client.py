"""`@ag-ui/client`'s HttpAgent (tests/js) from node.

Its own verifier passes the events, and its messages end with the stored answer.
"""

from __future__ import annotations

import json
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


INTERRUPTS = JS / "ag_ui_interrupts.mjs"


def interrupted(decision: str, server) -> dict:
    thread, user = f"ag-{uuid.uuid4().hex[:10]}", f"ag-{uuid.uuid4().hex[:8]}"
    return run_node(INTERRUPTS, server.url, "devkey", user, thread, decision)


def answer_of(run: dict) -> str:
    return "".join(e["delta"] for e in run["events"] if e["type"] == "TEXT_MESSAGE_CONTENT")


def test_a_write_to_approve_ends_the_run_with_an_interrupt_and_resume_entries_go_on(server):
    seen = interrupted("approve", server)
    first = seen["first"]["events"]
    (custom,) = [e for e in first if e["type"] == "CUSTOM" and e["name"] == "on_interrupt"]
    asked = json.loads(custom["value"])
    assert asked["action_requests"][0]["name"] == "db.insert"
    outcome = first[-1]["outcome"]
    assert first[-1]["type"] == "RUN_FINISHED" and outcome["type"] == "interrupt"
    (pending,) = seen["pending"]
    assert pending["reason"] == "tool_approval" and pending["metadata"]["value"] == asked
    assert not any(e["type"] == "TOOL_CALL_START" for e in first)  # nothing ran yet
    second = seen["second"]["events"]
    assert second[-1]["outcome"] == {"type": "success"} and seen["after"] == []
    assert answer_of(seen["second"]) == 'I\'ll remember that: "I like green tea".'
    assert [e["toolCallName"] for e in second if e["type"] == "TOOL_CALL_START"] == ["db.insert"]


def test_a_cancelled_interrupt_rejects_the_write(server):
    seen = interrupted("cancel", server)
    assert seen["resume"][0]["status"] == "cancelled"
    assert "rejected by the person reviewing it: cancelled" in answer_of(seen["second"])


def test_a_pause_before_an_agent_is_a_breakpoint_resolved_without_a_payload(server):
    seen = interrupted("breakpoint", server)
    (pending,) = seen["pending"]
    assert pending["reason"] == "breakpoint" and pending["metadata"]["next"] == ["critic"]
    steps = [e["stepName"] for e in seen["second"]["events"] if e["type"] == "STEP_STARTED"]
    assert steps == ["critic", "synthesizer"] and answer_of(seen["second"])
