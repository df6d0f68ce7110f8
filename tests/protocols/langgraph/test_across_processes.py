"""Two daphne processes, one database, one Redis: the SDK's reconnect lands on the other one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from langgraph_sdk.errors import ConflictError

from harness.live_server import LiveServer, live_servers
from tests.protocols.langgraph.conftest import ASSISTANT, ask, new_user, sync_client
from tests.support.proxy import proxy
from tests.support.runs import SLOW_RUNS

MODES = ["values", "updates", "messages-tuple", "custom"]


@pytest.fixture(scope="module")
def pair(
    tmp_path_factory: pytest.TempPathFactory, template_db: Path, redis_url: str
) -> Iterator[list[LiveServer]]:
    """Processes A and B: one database, one Redis, runs slow enough to act on."""
    workdir = tmp_path_factory.mktemp("langgraph-pair")
    with live_servers(workdir, 2, template_db=template_db, REDIS_URL=redis_url, **SLOW_RUNS) as ab:
        yield ab


def test_a_stream_cut_on_a_goes_on_from_b_without_gap_or_repeat(pair):
    a, b = pair
    with proxy(a.url, b.url) as balancer:
        client = sync_client(balancer.url)
        thread = client.threads.create(metadata={"user_id": new_user()})["thread_id"]
        cut = balancer.cut_next_stream(after_bytes=2500, switch_to=1)
        parts = list(
            client.runs.stream(thread, ASSISTANT, input=ask("What is AI?"), stream_mode=MODES)
        )
        assert cut.done.is_set()
    run_id = parts[0].data["run_id"]
    whole = list(sync_client(a.url).runs.join_stream(thread, run_id))
    assert [(p.id, p.event, p.data) for p in parts] == [(p.id, p.event, p.data) for p in whole]
    text = "".join(p.data[0]["content"] for p in parts if p.event == "messages")
    final = [p.data for p in parts if p.event == "values"][-1]["messages"][-1]
    assert final["type"] == "ai" and final["content"] == text
    assert sync_client(b.url).runs.get(thread, run_id)["status"] == "success"


def test_a_run_on_a_is_cancelled_and_joined_from_b(pair):
    a, b = (sync_client(server.url) for server in pair)
    thread = a.threads.create(metadata={"user_id": new_user()})["thread_id"]
    run = a.runs.create(thread, ASSISTANT, input=ask("What is AI?"), stream_mode="messages-tuple")
    for part in b.runs.join_stream(thread, run["run_id"]):
        if part.event == "messages":
            break
    b.runs.cancel(thread, run["run_id"], wait=True)
    assert a.runs.get(thread, run["run_id"])["status"] == "interrupted"
    parts = list(b.runs.join_stream(thread, run["run_id"]))
    assert parts[-1].event == "error"


def test_reject_holds_across_processes(pair):
    a, b = (sync_client(server.url) for server in pair)
    thread = a.threads.create(metadata={"user_id": new_user()})["thread_id"]
    first = a.runs.create(thread, ASSISTANT, input=ask("What is AI?"))
    with pytest.raises(ConflictError):
        b.runs.create(thread, ASSISTANT, input=ask("Hello"), multitask_strategy="reject")
    assert b.runs.join(thread, first["run_id"])["messages"][-1]["type"] == "ai"
