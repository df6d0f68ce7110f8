"""Every run route × both header forms: a user key reaches its own runs and nothing else.

alice's key on bob's run answers exactly as for a run that does not exist (404) and changes
nothing; the service key reaches every run; no key is a 401 with WWW-Authenticate.
"""

from __future__ import annotations

import json

import pytest

from chat.models import Session
from operations.client import SSEParser
from runs.models import Run
from tests.conftest import ALICE, BOB
from tests.support.keyed_requests import FORMS, headers_for, join, raw_headers, stream

RUN_ROUTES = [("get", "/v1/runs/{run}"), ("post", "/v1/runs/{run}/cancel")]
UNKNOWN_RUN = "0" * 24


def bobs_running_run(bob_session: Session) -> Run:
    """A run of bob's, running in another (live) process."""
    return Run.objects.create(
        session=bob_session, user_id=BOB, status=Run.Status.RUNNING, owner="elsewhere"
    )


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("method", "path"), RUN_ROUTES)
def test_alices_key_gets_a_404_for_bobs_run_exactly_as_for_none(
    client, alice_key, bob_session, method, path, form
):
    run = bobs_running_run(bob_session)
    headers = headers_for(alice_key, form)
    response = getattr(client, method)(path.format(run=run.pk), headers=headers)
    missing = getattr(client, method)(path.format(run=UNKNOWN_RUN), headers=headers)
    assert response.status_code == missing.status_code == 404
    assert response.json() == {"detail": f"Run {run.pk!r} not found"}
    assert missing.json() == {"detail": f"Run {UNKNOWN_RUN!r} not found"}


@pytest.mark.parametrize("form", FORMS)
def test_a_user_key_cancelling_another_users_run_does_not_cancel_it(
    client, alice_key, bob_session, form
):
    run = bobs_running_run(bob_session)
    response = client.post(f"/v1/runs/{run.pk}/cancel", headers=headers_for(alice_key, form))
    assert response.status_code == 404
    run.refresh_from_db()
    assert (run.status, run.cancel_requested) == (Run.Status.RUNNING, "")


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("method", "path"), RUN_ROUTES)
def test_the_owner_and_the_service_key_reach_the_run(
    client, settings, bob_key, bob_session, method, path, form
):
    run = Run.objects.create(session=bob_session, user_id=BOB, status=Run.Status.OK)
    for key in (bob_key, settings.DEV_AUTH_TOKEN):
        response = getattr(client, method)(path.format(run=run.pk), headers=headers_for(key, form))
        assert response.status_code == 200, (key, response.content)
        assert (response.json()["runId"], response.json()["status"]) == (run.pk, "ok")


@pytest.mark.parametrize("form", FORMS)
def test_a_sessions_run_list_is_the_owners_and_the_service_keys_only(
    client, settings, alice_key, bob_key, bob_session, form
):
    run = bobs_running_run(bob_session)
    for key in (bob_key, settings.DEV_AUTH_TOKEN):
        listed = client.get("/v1/sessions/bob-s1/runs", headers=headers_for(key, form)).json()
        assert [row["runId"] for row in listed["runs"]] == [run.pk]
    foreign = client.get("/v1/sessions/bob-s1/runs", headers=headers_for(alice_key, form))
    missing = client.get("/v1/sessions/nope/runs", headers=headers_for(alice_key, form))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == {"detail": "Session 'bob-s1' not found"}


@pytest.mark.parametrize(("method", "path"), [*RUN_ROUTES, ("get", "/v1/sessions/{session}/runs")])
def test_a_run_route_without_a_key_is_a_401_with_www_authenticate(
    client, bob_session, method, path
):
    run = bobs_running_run(bob_session)
    response = getattr(client, method)(path.format(run=run.pk, session="bob-s1"))
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    run.refresh_from_db()
    assert run.cancel_requested == ""


# --- Joining a run's stream (through the whole ASGI application) ------------------------------


async def bobs_streamed_run(key: str) -> str:
    """Stream one prompt of bob's with `key` (his or the service key); return the run id."""
    status, body = await stream(
        {"sessionId": "bob-live", "userId": BOB, "prompt": "What is AI?"},
        raw_headers(key, "bearer"),
    )
    assert status == 200
    return SSEParser().feed(body.decode())[0].data["runId"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("form", FORMS)
async def test_alices_key_joining_bobs_run_gets_a_404_exactly_as_for_none(
    settings, alice_key, form
):
    run_id = await bobs_streamed_run(settings.DEV_AUTH_TOKEN)
    status, headers, body = await join(run_id, raw_headers(alice_key, form))
    unknown_status, _, unknown = await join(UNKNOWN_RUN, raw_headers(alice_key, form))
    assert status == unknown_status == 404
    assert json.loads(body) == {"detail": f"Run {run_id!r} not found"}
    assert json.loads(unknown) == {"detail": f"Run {UNKNOWN_RUN!r} not found"}
    assert headers[b"content-type"] == b"application/json"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("form", FORMS)
async def test_the_owner_and_the_service_key_join_a_run(settings, bob_key, form):
    run_id = await bobs_streamed_run(bob_key)
    for key in (bob_key, settings.DEV_AUTH_TOKEN):
        status, _, body = await join(run_id, [*raw_headers(key, form), (b"last-event-id", b"1")])
        events = SSEParser().feed(body.decode())
        assert status == 200
        assert events[0].id == 2 and events[-1].event == "done"


@pytest.mark.django_db(transaction=True)
async def test_joining_a_run_without_a_key_is_a_401_with_www_authenticate(settings):
    run_id = await bobs_streamed_run(settings.DEV_AUTH_TOKEN)
    status, headers, body = await join(run_id, [])
    assert (status, json.loads(body)) == (401, {"detail": "Unauthorized"})
    assert headers[b"www-authenticate"].startswith(b"Bearer")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("form", FORMS)
async def test_a_user_key_streams_without_user_id_then_joins_its_own_run(alice_key, form):
    status, body = await stream(
        {"sessionId": "a-join", "prompt": "What is AI?"}, raw_headers(alice_key, form)
    )
    streamed = SSEParser().feed(body.decode())
    run_id = streamed[0].data["runId"]
    status, _, joined = await join(run_id, raw_headers(alice_key, form))
    assert status == 200
    replayed = SSEParser().feed(joined.decode())
    assert [(e.id, e.event, e.data) for e in replayed] == [
        (e.id, e.event, e.data) for e in streamed
    ]
    run = await Run.objects.aget(pk=run_id)
    assert (run.user_id, run.status) == (ALICE, Run.Status.OK)


@pytest.mark.django_db(transaction=True)
async def test_deleting_a_session_with_a_user_key_removes_its_runs(async_client, alice_key):
    status, body = await stream(
        {"sessionId": "a-gone", "prompt": "hi"}, raw_headers(alice_key, "token-header")
    )
    run_id = SSEParser().feed(body.decode())[0].data["runId"]
    assert await Run.objects.filter(pk=run_id).aexists()
    headers = headers_for(alice_key, "bearer")
    response = await async_client.delete("/v1/sessions/a-gone", headers=headers)
    assert response.status_code == 204
    assert not await Run.objects.filter(session_id="a-gone").aexists()
    gone = await async_client.get(f"/v1/runs/{run_id}", headers=headers)
    assert gone.status_code == 404
