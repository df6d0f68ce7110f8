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


def test_the_js_sdks_crons_are_made_changed_found_counted_and_deleted(server):
    key = create_key(server.sqlite_path, new_user())
    seen = run_node(JS / "langgraph_crons.mjs", api_url(server.url), key)
    on_thread, threadless = seen["onThread"], seen["threadless"]
    assert on_thread["thread_id"] == seen["threadId"] and threadless["thread_id"] is None
    assert on_thread["timezone"] == "America/New_York" and on_thread["enabled"] is True
    assert on_thread["payload"]["input"]["messages"][0]["content"] == "Summarise my notes."
    assert threadless["on_run_completed"] == "delete" and threadless["next_run_date"]
    assert (seen["updated"]["enabled"], seen["updated"]["schedule"]) == (False, "0 10 * * 1")
    assert [c["cron_id"] for c in seen["found"]] == [on_thread["cron_id"]]
    assert [c["cron_id"] for c in seen["disabled"]] == [on_thread["cron_id"]]
    assert seen["counted"] == 1
    assert seen["refused"]["status"] == 422
    assert "Invalid cron schedule" in seen["refused"]["message"]
    assert [c["cron_id"] for c in seen["left"]] == [on_thread["cron_id"]]  # the caller's only


def test_the_js_sdk_approves_a_write_edits_a_plan_and_resumes(server):
    seen = run_node(JS / "langgraph_checkpoints.mjs", api_url(server.url), SERVICE_KEY, new_user())
    (asked,) = seen["paused"]["__interrupt__"]
    assert asked["value"]["action_requests"][0]["name"] == "db.insert"
    assert seen["waiting"]["next"] == ["worker"]
    assert seen["waiting"]["tasks"][0]["interrupts"] == [
        {"id": asked["id"], "value": asked["value"]}
    ]
    assert seen["threadStatus"] == "interrupted" and list(seen["threadInterrupts"].values())
    assert seen["approved"]["messages"][-1]["content"] == 'I\'ll remember that: "I like green tea".'
    assert seen["parts"][-1] == {"event": "updates", "data": {"__interrupt__": []}}
    assert seen["before"]["next"] == ["worker"]
    assert seen["update"]["checkpoint"]["checkpoint_id"] == seen["update"]["checkpoint_id"]
    assert (
        seen["after"]["next"] == []
        and seen["after"]["values"]["findings"]["1"]["description"] == "Count my sessions"
    )
    assert seen["goneOn"]["messages"][-1]["type"] == "ai"
    sources = [state["metadata"]["source"] for state in seen["history"]]
    assert "update" in sources and sources[0] == "loop"
