"""GET /v1/sessions/{id} and /v1/sessions/{id}/messages, with their failure modes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import Message


def test_it_returns_a_session_in_the_original_shape(client, auth_headers, alice_session):
    response = client.get("/v1/sessions/alice-s1", headers=auth_headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"sessionId", "userId", "summary", "messageCount", "createdAt", "updatedAt"}
    assert body["sessionId"] == "alice-s1"
    assert body["userId"] == "alice"
    assert body["messageCount"] == 2


def test_it_accepts_the_original_token_header(client, settings, alice_session):
    response = client.get("/v1/sessions/alice-s1", headers={"token": settings.DEV_AUTH_TOKEN})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic devkey"}, {"token": ""}],
    ids=["none", "wrong-token", "wrong-scheme", "empty-token-header"],
)
def test_it_rejects_a_request_without_a_valid_token(client, headers, alice_session):
    response = client.get("/v1/sessions/alice-s1", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_an_unknown_session_is_a_404_json_error(client, auth_headers, db):
    response = client.get("/v1/sessions/nope", headers=auth_headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "Session 'nope' not found"}


def test_messages_come_oldest_first(client, auth_headers, alice_session):
    response = client.get("/v1/sessions/alice-s1/messages", headers=auth_headers)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [m["role"] for m in body["messages"]] == ["user", "assistant"]
    first = body["messages"][0]
    assert set(first) >= {"sessionId", "userId", "role", "content", "metadata", "createdAt"}


def test_the_limit_keeps_the_newest_messages(client, auth_headers, alice_session):
    start = timezone.now()
    for n in range(5):
        Message.objects.create(
            session=alice_session,
            user_id="alice",
            role="user",
            content=f"later {n}",
            created_at=start + timedelta(seconds=n + 1),
        )
    response = client.get("/v1/sessions/alice-s1/messages?limit=3", headers=auth_headers)
    assert [m["content"] for m in response.json()["messages"]] == ["later 2", "later 3", "later 4"]


def test_the_default_limit_is_fifty(client, auth_headers, alice_session):
    Message.objects.bulk_create(
        Message(session=alice_session, user_id="alice", role="user", content=f"m{n}")
        for n in range(60)
    )
    response = client.get("/v1/sessions/alice-s1/messages", headers=auth_headers)
    assert response.json()["count"] == 50


@pytest.mark.parametrize("limit", ["0", "501", "-1", "ten"])
def test_a_bad_limit_is_a_422_json_error(client, auth_headers, alice_session, limit):
    response = client.get(f"/v1/sessions/alice-s1/messages?limit={limit}", headers=auth_headers)
    assert response.status_code == 422
    assert "detail" in response.json()


def test_messages_of_an_unknown_session_are_a_404(client, auth_headers, db):
    response = client.get("/v1/sessions/nope/messages", headers=auth_headers)
    assert response.status_code == 404


def test_messages_require_a_token(client, alice_session):
    assert client.get("/v1/sessions/alice-s1/messages").status_code == 401
