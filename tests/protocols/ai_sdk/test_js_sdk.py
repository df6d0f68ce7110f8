"""The AI SDK (`ai`, tests/js) from node: DefaultChatTransport and readUIMessageStream."""

from __future__ import annotations

import uuid

from tests.support.node import JS, run_node

CLIENT = JS / "ai_sdk_client.mjs"


def test_the_transport_streams_two_turns_into_ui_messages(server):
    chat_id, user = f"ai-{uuid.uuid4().hex[:10]}", f"ai-{uuid.uuid4().hex[:8]}"
    seen = run_node(CLIENT, server.url, "devkey", user, chat_id)
    first = seen["first"]
    assert first["role"] == "assistant"
    kinds = [part["type"] for part in first["parts"]]
    assert kinds.count("step-start") == 4, kinds
    text = "".join(part["text"] for part in first["parts"] if part["type"] == "text")
    assert "session" in text.lower()
    agents = [part["data"] for part in first["parts"] if part["type"] == "data-agent"]
    assert [a["name"] for a in agents] == ["planner", "worker", "critic", "synthesizer"]
    assert all(a["status"] == "completed" for a in agents)
    assert agents[0]["plan"][0]["description"]
    tools = [part for part in first["parts"] if part["type"] == "dynamic-tool"]
    assert tools and tools[0]["state"] == "output-available"
    assert tools[0]["toolName"].startswith("db.") and tools[0]["output"]["ok"] is True
    [suggestions] = [part["data"] for part in first["parts"] if part["type"] == "data-suggestions"]
    assert len(suggestions) == 3
    assert first["metadata"]["usage"] and first["metadata"]["runId"]
    second_text = "".join(p["text"] for p in seen["second"]["parts"] if p["type"] == "text")
    assert "Juniper" in second_text
    assert seen["resumedIsNull"] is True


APPROVAL = JS / "ai_sdk_approval.mjs"


def test_a_write_asks_for_approval_and_add_tool_approval_response_resumes_the_run(server):
    chat_id, user = f"ai-{uuid.uuid4().hex[:10]}", f"ai-{uuid.uuid4().hex[:8]}"
    seen = run_node(APPROVAL, server.url, "devkey", user, chat_id, "yes")
    (asked,) = [p for p in seen["asked"]["parts"] if p.get("state") == "approval-requested"]
    assert asked["type"] == "dynamic-tool" and asked["toolName"] == "db.insert"
    assert "green tea" in asked["input"]["document"]["content"]
    assert seen["status"] == "ready" and not seen["error"]
    answer = seen["messages"][-1]
    tools = [p for p in answer["parts"] if p.get("toolName") == "db.insert"]
    assert [t["state"] for t in tools] == ["approval-responded", "output-available"]
    text = "".join(p["text"] for p in answer["parts"] if p["type"] == "text")
    assert text == 'I\'ll remember that: "I like green tea".'


def test_a_denied_write_is_not_written_and_the_answer_says_why(server):
    chat_id, user = f"ai-{uuid.uuid4().hex[:10]}", f"ai-{uuid.uuid4().hex[:8]}"
    seen = run_node(APPROVAL, server.url, "devkey", user, chat_id, "no")
    answer = seen["messages"][-1]
    text = "".join(p["text"] for p in answer["parts"] if p["type"] == "text")
    assert "rejected by the person reviewing it: not today" in text
    errors = [p for p in answer["parts"] if p.get("state") == "output-error"]
    assert errors and errors[0]["toolName"] == "db.insert"
