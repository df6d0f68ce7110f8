"""/v1/memories: a user sees, searches, changes and forgets what is remembered of them."""

from __future__ import annotations

import pytest

from accounts.keys import create_key
from memory import longterm
from memory.models import MemoryItem
from tests.conftest import ALICE, BOB

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db) -> dict[str, str]:
    """The headers of a key of alice's: it acts for alice only."""
    return {"Authorization": f"Bearer {create_key(ALICE, 'laptop').secret}"}


@pytest.fixture
def remembered(db) -> dict[str, MemoryItem]:
    """Two memories of alice's and one of bob's (which alice must never see)."""
    return {
        "sister": longterm.put(ALICE, longterm.MEMORIES, "s", {"text": "My sister lives in Oslo."}),
        "colour": longterm.put(ALICE, longterm.MEMORIES, "c", {"text": "My colour is teal."}),
        "bob": longterm.put(BOB, longterm.MEMORIES, "s", {"text": "My sister lives in Bergen."}),
    }


def test_a_user_lists_their_own_memories_newest_first(client, alice, remembered):
    body = client.get("/v1/memories", headers=alice).json()
    assert [m["text"] for m in body["memories"]] == [
        "My colour is teal.",
        "My sister lives in Oslo.",
    ]
    assert body["count"] == 2
    first = body["memories"][0]
    assert first["namespace"] == ["memories"] and first["score"] is None
    assert {"id", "key", "value", "source", "sessionId", "createdAt", "usedAt"} <= set(first)


def test_a_search_ranks_by_similarity(client, alice, remembered):
    body = client.get("/v1/memories?q=where+does+my+sister+live", headers=alice).json()
    assert body["memories"][0]["text"] == "My sister lives in Oslo."
    assert body["memories"][0]["score"] > body["memories"][1]["score"]


def test_a_change_is_recalled_at_once(client, alice, remembered):
    item = remembered["sister"]
    response = client.patch(
        f"/v1/memories/{item.pk}",
        {"text": "My sister lives in Trondheim."},
        content_type="application/json",
        headers=alice,
    )
    assert response.status_code == 200 and response.json()["source"] == "api"
    assert longterm.recall(ALICE, "Where does my sister live?", k=1, room=100) == [
        "My sister lives in Trondheim."
    ]


def test_adding_the_same_thing_twice_keeps_one_memory(client, alice, db):
    for _ in range(2):
        response = client.post(
            "/v1/memories",
            {"text": "i prefer window seats"},
            content_type="application/json",
            headers=alice,
        )
        assert response.status_code == 201
    assert list(MemoryItem.objects.values_list("text", flat=True)) == ["I prefer window seats."]


def test_another_users_memory_is_not_found_and_stays(client, alice, remembered):
    bobs = remembered["bob"]
    assert client.delete(f"/v1/memories/{bobs.pk}", headers=alice).status_code == 404
    patched = client.patch(
        f"/v1/memories/{bobs.pk}", {"text": "x"}, content_type="application/json", headers=alice
    )
    assert patched.status_code == 404
    assert MemoryItem.objects.get(pk=bobs.pk).text == "My sister lives in Bergen."
    assert client.get(f"/v1/memories?userId={BOB}", headers=alice).status_code == 403


def test_one_memory_or_all_of_them_are_forgotten(client, alice, remembered):
    sister = remembered["sister"]
    assert client.delete(f"/v1/memories/{sister.pk}", headers=alice).status_code == 204
    response = client.delete("/v1/memories", headers=alice)
    assert response.json() == {"deleted": 1}
    assert list(MemoryItem.objects.values_list("user_id", flat=True)) == [BOB]


def test_the_service_key_names_the_user(client, auth_headers, remembered, settings):
    settings.SERVICE_KEY_USER = ""
    assert client.get("/v1/memories", headers=auth_headers).status_code == 422
    body = client.get(f"/v1/memories?userId={BOB}", headers=auth_headers).json()
    assert [m["text"] for m in body["memories"]] == ["My sister lives in Bergen."]


@pytest.mark.parametrize(
    ("body", "status"),
    [({"text": "   "}, 422), ({}, 422), ({"text": "x" * 5000}, 413)],
    ids=["blank", "missing", "too-long"],
)
def test_bad_text_is_refused_and_nothing_changes(client, alice, remembered, body, status):
    sister = remembered["sister"]
    response = client.patch(
        f"/v1/memories/{sister.pk}", body, content_type="application/json", headers=alice
    )
    assert response.status_code == status and "detail" in response.json()
    assert MemoryItem.objects.get(pk=sister.pk).text == "My sister lives in Oslo."


def test_a_query_too_long_is_refused(client, alice, db):
    assert client.get("/v1/memories?q=" + "x" * 2001, headers=alice).status_code == 422


def test_without_a_key_nothing_is_read(client, remembered):
    assert client.get("/v1/memories").status_code == 401
