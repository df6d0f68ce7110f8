"""The official `@langchain/langgraph-sdk` JS client (tests/js, `npm ci` in make test) from node."""

from __future__ import annotations

from tests.protocols.langgraph.conftest import SERVICE_KEY, api_url, new_user
from tests.support.keys import create_key
from tests.support.node import JS, run_node
from tests.support.proxy import proxy

CLIENT = JS / "langgraph_client.mjs"


def test_the_js_sdk_streams_reconnects_joins_waits_searches_and_cancels(slow_server):
    user = new_user()
    with proxy(slow_server.url) as cutting:
        cut = cutting.cut_next_stream(after_bytes=2500)
        seen = run_node(CLIENT, api_url(cutting.url), SERVICE_KEY, user)
        assert cut.done.is_set(), "the first stream was cut; the SDK reconnected by itself"
    assert seen["created"] == {"run_id": seen["runId"], "thread_id": seen["threadId"]}
    assert seen["events"][0] == "metadata"
    assert {"values", "messages", "updates"} <= set(seen["events"])
    assert all(seen["ids"]) and len(set(seen["ids"])) == len(seen["ids"])
    assert seen["ids"] == seen["joinedAll"], "every part once, in order, after the cut"
    final = seen["lastValues"]["messages"]
    assert [m["type"] for m in final] == ["human", "ai"]
    assert final[-1]["content"] == seen["answer"] and "Juniper" in seen["answer"]
    assert seen["joined"] == seen["ids"][seen["ids"].index(seen["after"]) + 1 :]
    assert "Juniper" in seen["waited"]["messages"][-1]["content"]
    assert seen["found"] == [seen["threadId"]]
    assert len(seen["state"]["messages"]) >= 4
    assert seen["cancelledStatus"] == "interrupted"


def test_the_js_sdks_store_puts_gets_searches_lists_and_deletes(server):
    key = create_key(server.sqlite_path, new_user())
    seen = run_node(JS / "langgraph_store.mjs", api_url(server.url), key)
    assert seen["item"]["value"] == {"text": "I prefer window seats."}
    assert seen["item"]["createdAt"] == seen["item"]["created_at"]
    assert seen["searched"][0][0] == "seat" and seen["searched"][0][1] > seen["searched"][1][1]
    assert seen["filtered"] == ["diet"]
    assert seen["namespaces"] == [["prefs"], ["prefs", "travel"]]
    assert seen["gone"] is None
