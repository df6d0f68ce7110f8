"""Agent Chat UI's two setups, reproduced with the packages it is built on.

Agent Chat UI is not on a registry; what it sends is its SDK's (`@langchain/langgraph-sdk`
`useStream`, with `fetchStateHistory` on) and, in its production setup, what
`langgraph-nextjs-api-passthrough` forwards. The direct setup (a browser page on another
origin, its preflights, a follow-up in the same thread) is driven in Chromium in
`test_browser_example.py`; the proxy setup here, from node, with the passthrough's own code in
front of a real server.
"""

from __future__ import annotations

import uuid

from tests.protocols.langgraph.conftest import api_url
from tests.support.keys import create_key
from tests.support.node import JS, run_node

PROXY = JS / "agent_chat_ui_proxy.mjs"


def test_the_passthrough_forwards_threads_runs_history_and_a_follow_up_from_the_head(server):
    key = create_key(server.sqlite_path, f"acu-{uuid.uuid4().hex[:8]}")
    seen = run_node(PROXY, api_url(server.url), key)
    assert "Ada" in seen["second"], seen
    assert seen["checkpoint"]["checkpoint_ns"] == "" and seen["checkpoint"]["checkpoint_id"]
    assert seen["threadId"] in seen["searched"]
    refused = [line for line in seen["statuses"] if line.split()[-1] >= "400"]
    assert refused == [], refused
