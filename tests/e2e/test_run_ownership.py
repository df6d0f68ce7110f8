"""Run ownership against a real daphne: user keys made through the API, a live run of bob's.

alice's key, in either header form, cannot see, join, list or cancel bob's running run: each
answers exactly as for a run that does not exist, and the run goes on to its answer. bob's
key, without naming his userId, starts the run and resumes it after a dropped connection.
"""

from __future__ import annotations

import httpx
import pytest

from harness.live_server import live_server
from operations.client import stream_chat_http, stream_run_http
from tests.support.runs import SLOW_RUNS, api, new_session, wait_for_run

UNKNOWN_RUN = "0" * 24


@pytest.fixture(scope="module")
def server(tmp_path_factory, template_db):
    """One process, runs slow enough to act on mid-stream."""
    with live_server(tmp_path_factory.mktemp("owners"), template_db=template_db, **SLOW_RUNS) as s:
        yield s


def new_key(url: str, user_id: str) -> str:
    """Create a user key through `POST /v1/keys` with the service key."""
    response = api("POST", url, "/v1/keys", json={"userId": user_id, "name": "e2e"})
    assert response.status_code == 201, response.text
    return response.json()["key"]


def as_key(key: str, form: str) -> dict[str, str]:
    """The headers presenting `key` in one of the two forms (and no service key)."""
    return {"Authorization": f"Bearer {key}"} if form == "bearer" else {"token": key}


async def bobs_run_left_running(url: str, bob: str, session: str) -> tuple[str, int]:
    """Start a run with bob's key (no userId), leave after 3 tokens; return its id, last id."""
    request = {"sessionId": session, "prompt": "What is AI?", "onDisconnect": "continue"}
    received = []
    async with httpx.AsyncClient(timeout=30) as client:
        async for event in stream_chat_http(url, bob, request, client=client):
            received.append(event)
            if sum(e.event == "token" for e in received) >= 3:
                break
    return received[0].data["runId"], received[-1].id


def user_request(method: str, url: str, path: str, key: str, form: str) -> httpx.Response:
    """Call `path` with a user key only."""
    return httpx.request(method, f"{url}{path}", headers=as_key(key, form), timeout=30)


@pytest.mark.parametrize("form", ["bearer", "token-header"])
async def test_alice_cannot_see_join_list_or_cancel_bobs_live_run(server, form):
    url, session = server.url, new_session()
    alice, bob = new_key(url, "alice"), new_key(url, "bob")
    run_id, _ = await bobs_run_left_running(url, bob, session)
    for method, path in [
        ("GET", "/v1/runs/{run}"),
        ("POST", "/v1/runs/{run}/cancel"),
        ("GET", "/v1/runs/{run}/stream"),
    ]:
        foreign = user_request(method, url, path.format(run=run_id), alice, form)
        unknown = user_request(method, url, path.format(run=UNKNOWN_RUN), alice, form)
        assert foreign.status_code == unknown.status_code == 404, path
        assert foreign.json() == {"detail": f"Run {run_id!r} not found"}
    listed = user_request("GET", url, f"/v1/sessions/{session}/runs", alice, form)
    assert listed.status_code == 404
    run = await wait_for_run(url, run_id, timeout=30)
    assert (run["status"], run["cancelRequested"], run["userId"]) == ("ok", "", "bob")


async def test_bob_resumes_his_own_run_with_his_key(server):
    url, session = server.url, new_session()
    bob = new_key(url, "bob")
    run_id, last_id = await bobs_run_left_running(url, bob, session)
    rest = [e async for e in stream_run_http(url, bob, run_id, last_event_id=last_id)]
    assert rest[0].id == last_id + 1 and rest[-1].event == "done"
    mine = user_request("GET", url, f"/v1/sessions/{session}/runs", bob, "token-header").json()
    assert [row["runId"] for row in mine["runs"]] == [run_id]
