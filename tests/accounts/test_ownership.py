"""Every endpoint × both header forms: a user key sees its own user's data and nothing else.

alice's key on bob's resources answers exactly as for resources that do not exist (404);
a body naming another user is a 403; the service key may act for anyone; no key is a 401.
The run routes and the join of a run's stream: tests/accounts/test_run_ownership.py.
"""

from __future__ import annotations

import json

import pytest

from chat.models import Message, Session
from operations.client import SSEParser
from telemetry.models import RequestMetric, ToolCall
from tests.conftest import ALICE, BOB
from tests.support.keyed_requests import FORMS, headers_for, raw_headers, stream

BY_ID_ROUTES = [
    ("get", "/v1/sessions/bob-s1"),
    ("get", "/v1/sessions/bob-s1/messages"),
    ("get", "/v1/metrics/bob-s1"),
    ("get", "/v1/metrics/bob-s1/runs"),
    ("get", "/v1/sessions/bob-s1/runs"),
    ("delete", "/v1/sessions/bob-s1"),
]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("method", "path"), BY_ID_ROUTES)
def test_alices_key_gets_a_404_for_bobs_session_exactly_as_for_none(
    client, alice_key, bob_session, method, path, form
):
    response = getattr(client, method)(path, headers=headers_for(alice_key, form))
    missing = getattr(client, method)(
        path.replace("bob-s1", "nope"), headers=headers_for(alice_key, form)
    )
    assert response.status_code == missing.status_code == 404
    assert response.json()["detail"] == "Session 'bob-s1' not found"
    assert Session.objects.filter(session_id="bob-s1").exists()


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("method", "path"), BY_ID_ROUTES)
def test_the_owner_and_the_service_key_reach_the_session(
    client, settings, bob_key, bob_session, method, path, form
):
    for key in (bob_key, settings.DEV_AUTH_TOKEN):
        if not Session.objects.filter(session_id="bob-s1").exists():
            Session.objects.create(session_id="bob-s1", user_id=BOB)
        response = getattr(client, method)(path, headers=headers_for(key, form))
        assert response.status_code in (200, 204), (key, response.content)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        *BY_ID_ROUTES,
        ("get", "/v1/sessions"),
        ("get", "/v1/me"),
        ("get", "/v1/vitals"),
        ("post", "/v1/keys"),
        ("delete", "/v1/keys/000000000000000000000000"),
    ],
)
def test_no_key_is_a_401_with_www_authenticate(client, bob_session, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("form", FORMS)
def test_the_session_list_holds_only_the_callers_sessions(
    client, alice_key, alice_session, bob_session, form
):
    response = client.get("/v1/sessions", headers=headers_for(alice_key, form))
    assert [row["sessionId"] for row in response.json()["sessions"]] == ["alice-s1"]
    foreign = client.get("/v1/sessions?userId=bob", headers=headers_for(alice_key, form))
    assert foreign.status_code == 403


def test_the_service_key_lists_anyones_sessions_and_filters_by_user(
    client, auth_headers, alice_session, bob_session
):
    everyone = client.get("/v1/sessions", headers=auth_headers).json()["sessions"]
    assert {row["sessionId"] for row in everyone} == {"alice-s1", "bob-s1"}
    bobs = client.get("/v1/sessions?userId=bob", headers=auth_headers).json()["sessions"]
    assert [row["sessionId"] for row in bobs] == ["bob-s1"]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/v1/vitals", None),
        ("post", "/v1/keys", {"userId": BOB, "name": "stolen"}),
        ("delete", "/v1/keys/000000000000000000000000", None),
    ],
)
def test_service_only_endpoints_refuse_a_user_key(client, alice_key, method, path, body, form):
    extra = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
    response = getattr(client, method)(path, headers=headers_for(alice_key, form), **extra)
    assert response.status_code == 403
    assert response.json() == {"detail": "This endpoint needs the service key"}


@pytest.mark.parametrize("form", FORMS)
def test_me_says_who_the_key_is(client, settings, alice_key, form):
    me = client.get("/v1/me", headers=headers_for(alice_key, form)).json()
    assert (me["kind"], me["userId"], me["name"]) == ("user", ALICE, "alice's laptop")
    assert alice_key.startswith(me["prefix"])
    service = client.get("/v1/me", headers=headers_for(settings.DEV_AUTH_TOKEN, form)).json()
    assert (service["kind"], service["userId"]) == ("service", None)


# --- The stream ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("form", FORMS)
async def test_the_stream_answers_404_for_bobs_session_and_stores_nothing(
    alice_key, bob_session, form
):
    status, body = await stream(
        {"sessionId": "bob-s1", "prompt": "hi"}, raw_headers(alice_key, form)
    )
    assert status == 404
    assert json.loads(body) == {"detail": "Session 'bob-s1' not found"}
    assert await Message.objects.filter(session_id="bob-s1").acount() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("form", FORMS)
async def test_the_stream_refuses_a_body_naming_another_user(alice_key, form):
    status, body = await stream(
        {"sessionId": "a-new", "userId": BOB, "prompt": "hi"}, raw_headers(alice_key, form)
    )
    assert status == 403
    assert not await Session.objects.filter(session_id="a-new").aexists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("form", FORMS)
async def test_a_user_key_streams_as_its_user_without_naming_it(alice_key, form):
    status, body = await stream(
        {"sessionId": "a-own", "prompt": "hi"}, raw_headers(alice_key, form)
    )
    assert status == 200
    assert SSEParser().feed(body.decode())[-1].event == "done"
    session = await Session.objects.aget(session_id="a-own")
    assert session.user_id == ALICE


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("form", FORMS)
async def test_the_service_key_streams_for_any_user(settings, form):
    body = {"sessionId": "svc-1", "userId": BOB, "prompt": "hi"}
    status, _ = await stream(body, raw_headers(settings.DEV_AUTH_TOKEN, form))
    assert status == 200
    assert (await Session.objects.aget(session_id="svc-1")).user_id == BOB


@pytest.mark.django_db(transaction=True)
async def test_the_stream_without_a_key_is_a_401():
    status, body = await stream({"sessionId": "x1", "userId": ALICE, "prompt": "hi"}, [])
    assert status == 401


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "prompt",
    ["List my messages", "How many messages have I sent?", "What did I ask you to remember?"],
)
async def test_the_db_tools_of_a_user_key_never_return_another_users_data(
    alice_key, bob_session, prompt
):
    await Message.objects.acreate(
        session=bob_session, user_id=BOB, role="user", content="remember bob-only-fact"
    )
    headers = raw_headers(alice_key, "bearer")
    status, body = await stream({"sessionId": "a-tools", "prompt": prompt}, headers)
    assert status == 200
    assert b"secret plan" not in body and b"bob-only-fact" not in body
    calls = [call async for call in ToolCall.objects.filter(session_id="a-tools")]
    assert calls and {call.user_id for call in calls} == {ALICE}
    for call in calls:
        assert "bob" not in json.dumps(call.result).lower()
    assert await RequestMetric.objects.filter(session_id="a-tools").aexists()
