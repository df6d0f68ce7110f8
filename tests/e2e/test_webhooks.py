"""Webhooks against real daphne processes and a real loopback receiver.

Two processes share one database and each delivers its share of the outbox; the receiver is
on loopback, which the servers are told to allow (WEBHOOK_ALLOWED_HOSTS): any other
loopback, private or link-local address is refused. Every delivery is verified with the
Standard Webhooks library a receiver would use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from langgraph_sdk.errors import UnprocessableEntityError
from standardwebhooks import Webhook

from harness.live_server import LiveServer, live_server, live_servers
from tests.protocols.langgraph.conftest import ASSISTANT, ask, new_user, sync_client
from tests.support.runs import api, body, chat, new_session
from tests.support.waiting import until
from tests.support.webhook_receiver import WebhookReceiver

SECRET = "whsec_" + "c2VjcmV0LW9mLXRoZS13ZWJob29rLXRlc3Rz"
ENV = {
    "WEBHOOK_SECRET": SECRET,
    "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    "WEBHOOK_POLL_SECONDS": "0.2",
}


@pytest.fixture(scope="module")
def receiver() -> Iterator[WebhookReceiver]:
    """The loopback receiver every test of the module sends to."""
    with WebhookReceiver() as running:
        yield running


@pytest.fixture(scope="module")
def pair(tmp_path_factory, template_db) -> Iterator[list[LiveServer]]:
    """Processes A and B on one database."""
    with live_servers(tmp_path_factory.mktemp("webhooks"), 2, template_db=template_db, **ENV) as ab:
        yield ab


def verified(received) -> dict:
    """The payload, once its signature checked out (raises if it does not)."""
    return Webhook(SECRET).verify(received.body, received.headers)


def attempts(servers: list[LiveServer], outcome: str) -> float:
    """webhook_attempts_total{outcome} summed over the processes."""
    total = 0.0
    for server in servers:
        text = httpx.get(f"{server.url}/metrics", timeout=10).text
        found = re.search(rf'webhook_attempts_total{{outcome="{outcome}"}} ([0-9.]+)', text)
        total += float(found.group(1)) if found else 0.0
    return total


async def test_each_run_is_posted_once_signed_with_its_resource_and_answer(pair, receiver):
    delivered_before = attempts(pair, "delivered")
    runs = []
    for server in pair * 2:  # runs ended on both processes
        events = await chat(server.url, body(new_session(), webhook=receiver.url))
        runs.append((events[0].data["runId"], events[-1].data["fullText"]))
    until(lambda: attempts(pair, "delivered") == delivered_before + 4, what="4 deliveries")
    for run_id, answer in runs:
        (received,) = receiver.for_run(run_id)  # once, whichever process took it
        payload = verified(received)
        assert payload["status"] == "ok" and payload["answer"] == answer
        assert payload["stream"] == f"/v1/runs/{run_id}/stream"
        assert received.headers["content-type"] == "application/json"
    ids = {receiver.for_run(run_id)[0].headers["webhook-id"] for run_id, _ in runs}
    assert len(ids) == 4


def test_a_langgraph_run_gets_langgraphs_payload(pair, receiver):
    a, _ = pair
    client = sync_client(a.url)
    thread = client.threads.create(metadata={"user_id": new_user()})["thread_id"]
    run = client.runs.create(thread, ASSISTANT, input=ask("What is AI?"), webhook=receiver.url)
    client.runs.join(thread, run["run_id"])
    until(lambda: receiver.for_run(run["run_id"], key="run_id"), what="the delivery")
    payload = verified(receiver.for_run(run["run_id"], key="run_id")[0])
    assert (payload["thread_id"], payload["status"]) == (thread, "success")
    assert payload["kwargs"]["webhook"] == receiver.url
    assert payload["values"]["messages"][-1]["type"] == "ai"
    assert payload["run_ended_at"] and payload["webhook_sent_at"] and "error" not in payload


async def test_a_failing_receiver_gets_the_same_delivery_again_until_it_answers(pair, receiver):
    a, _ = pair
    receiver.fail_next(2)
    events = await chat(a.url, body(new_session(), webhook=receiver.url))
    run_id = events[0].data["runId"]
    until(lambda: len(receiver.for_run(run_id)) == 3, timeout=30, what="two retries")
    tries = receiver.for_run(run_id)
    assert len({t.headers["webhook-id"] for t in tries}) == 1  # the receiver's idempotency key
    assert all(verified(t)["runId"] == run_id for t in tries)


async def test_a_receiver_that_is_down_gets_it_once_it_is_back(pair, receiver):
    a, b = pair
    retries = attempts(pair, "retry")
    receiver.stop()
    try:
        events = await chat(b.url, body(new_session(), webhook=receiver.url))
        until(lambda: attempts(pair, "retry") > retries, what="a refused attempt")
    finally:
        receiver.start()
    run_id = events[0].data["runId"]
    until(lambda: receiver.for_run(run_id), timeout=30, what="the delivery once it is back")
    assert "webhook delivery" in a.log() + b.log()  # the failed attempt was logged


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://10.0.0.7/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://localhost:9/hook", "loopback"),  # only 127.0.0.1 is allowed by name
        ("/hook", "absolute"),
        ("gopher://example.com/", "absolute"),
    ],
)
def test_a_webhook_that_may_not_be_called_is_refused_and_nothing_is_stored(pair, url, why):
    a, _ = pair
    session = new_session()
    refused = api("POST", a.url, "/v1/chat/stream", json=body(session, webhook=url))
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "invalid_webhook" and why in refused.json()["detail"]
    assert refused.json()["detail"].startswith("webhook:")
    assert api("GET", a.url, f"/v1/sessions/{session}").status_code == 404


def test_the_langgraph_sdk_is_refused_a_private_webhook(pair):
    a, _ = pair
    client = sync_client(a.url)
    thread = client.threads.create(metadata={"user_id": new_user()})["thread_id"]
    with pytest.raises(UnprocessableEntityError, match="private"):
        client.runs.create(thread, ASSISTANT, input=ask("Hi"), webhook="http://192.168.1.9/x")
    assert client.runs.list(thread) == []


async def test_a_delivery_owed_when_its_process_is_killed_is_made_by_the_next(
    tmp_path, template_db, receiver
):
    receiver.stop()
    try:
        with live_server(tmp_path / "a", template_db=template_db, **ENV) as a:
            events = await chat(a.url, body(new_session(), webhook=receiver.url))
            until(lambda: "webhook delivery" in a.log(), what="a refused attempt")
            a.process.kill()  # SIGKILL: nothing runs after it
            a.process.wait()
    finally:
        receiver.start()
    run_id = events[0].data["runId"]
    assert not receiver.for_run(run_id)
    with live_server(tmp_path / "b", sqlite_path=a.sqlite_path, **ENV):
        until(lambda: receiver.for_run(run_id), timeout=60, what="the next process delivering")
    assert verified(receiver.for_run(run_id)[0])["status"] == "ok"
