"""The official `openai` JS SDK (tests/js, installed by `npm ci` in make test) from node."""

from __future__ import annotations

from tests.protocols.openai.conftest import SERVICE_KEY, base_url, new_user
from tests.support.node import JS, run_node

CLIENT = JS / "openai_client.mjs"


def test_the_js_sdk_streams_a_chat_completion_and_resumes_a_background_response(server):
    seen = run_node(CLIENT, base_url(server), SERVICE_KEY, new_user())
    chat = seen["chat"]
    assert "Juniper" in chat["content"]
    assert "Planner is working." in chat["reasoning"]
    assert chat["finishReason"] == "stop" and chat["usage"]["total_tokens"] > 0
    response = seen["response"]
    assert response["startedStatus"] in {"queued", "in_progress"}
    assert response["allSequence"] == list(range(len(response["allSequence"])))
    assert response["resumedSequence"] == response["allSequence"][response["after"] + 1 :]
    assert response["resumedTypes"][-1] == "response.completed"
    assert response["status"] == "completed" and "intelligence" in response["outputText"].lower()
