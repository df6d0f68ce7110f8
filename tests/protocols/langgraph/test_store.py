"""LangGraph's Store API, judged by the official SDK's `client.store` on a live server."""

from __future__ import annotations

import uuid

import httpx
import pytest
from langgraph_sdk.client import SyncLangGraphClient

from harness.live_server import LiveServer
from operations.client import stream_chat_http
from tests.protocols.langgraph.conftest import api_url, new_user, sync_client
from tests.support.keys import create_key


@pytest.fixture
def owner_and_stranger(server: LiveServer) -> tuple[SyncLangGraphClient, SyncLangGraphClient]:
    """The SDK with the keys of two new users: the stranger must never see the owner's items."""
    owner = create_key(server.sqlite_path, new_user())
    stranger = create_key(server.sqlite_path, new_user())
    return sync_client(server.url, owner), sync_client(server.url, stranger)


def test_put_get_search_list_and_delete_an_item(owner_and_stranger):
    store, _ = owner_and_stranger
    store.store.put_item(["prefs", "travel"], "seat", {"text": "I prefer window seats."})
    store.store.put_item(["prefs"], "food", {"text": "I am vegetarian.", "kind": "diet"})
    item = store.store.get_item(["prefs", "travel"], "seat")
    assert (item["namespace"], item["key"]) == (["prefs", "travel"], "seat")
    assert item["value"] == {"text": "I prefer window seats."}
    assert item["created_at"] and item["updated_at"]
    found = store.store.search_items(["prefs"], query="window seat")["items"]
    assert found[0]["key"] == "seat" and found[0]["score"] > found[1]["score"]
    filtered = store.store.search_items(["prefs"], filter={"kind": "diet"})["items"]
    assert [hit["key"] for hit in filtered] == ["food"] and filtered[0]["score"] is None
    assert item["created_at"] == item["updated_at"]  # as written once
    assert store.store.list_namespaces(prefix=["prefs"])["namespaces"] == [
        ["prefs"],
        ["prefs", "travel"],
    ]
    assert store.store.list_namespaces(max_depth=1)["namespaces"] == [["prefs"]]
    assert store.store.list_namespaces(suffix=["travel"])["namespaces"] == [["prefs", "travel"]]
    store.store.delete_item(["prefs", "travel"], "seat")
    assert store.store.get_item(["prefs", "travel"], "seat") is None  # as LangGraph answers


def test_putting_the_same_key_again_replaces_the_value(owner_and_stranger):
    store, _ = owner_and_stranger
    store.store.put_item(["notes"], "n1", {"text": "first"})
    store.store.put_item(["notes"], "n1", {"text": "second"})
    items = store.store.search_items(["notes"])["items"]
    assert [item["value"]["text"] for item in items] == ["second"]


def test_another_users_items_are_not_found_whatever_the_namespace(owner_and_stranger):
    owner, stranger = owner_and_stranger
    owner.store.put_item(["shared"], "k", {"text": "My sister lives in Oslo."})
    assert stranger.store.get_item(["shared"], "k") is None
    assert stranger.store.search_items(["shared"], query="sister")["items"] == []
    assert stranger.store.list_namespaces()["namespaces"] == []
    stranger.store.delete_item(["shared"], "k")  # nothing of the stranger's to delete
    assert owner.store.get_item(["shared"], "k")["value"]["text"] == "My sister lives in Oslo."


async def test_the_store_and_the_chats_memories_are_the_same_data(server: LiveServer):
    user = new_user()
    key = create_key(server.sqlite_path, user)
    store = sync_client(server.url, key)
    store.store.put_item(["memories"], "home", {"text": "I live in Lisbon."})
    body = {"sessionId": f"store-{uuid.uuid4().hex[:8]}", "prompt": "Where do I live?"}
    events = [event async for event in stream_chat_http(server.url, key, body)]
    assert events[-1].data["fullText"] == "You live in Lisbon."
    body = {"sessionId": f"store-{uuid.uuid4().hex[:8]}", "prompt": "My dog is called Rex."}
    [event async for event in stream_chat_http(server.url, key, body)]
    said = store.store.search_items(["memories"], query="dog")["items"][0]
    assert said["value"] == {"text": "My dog is called Rex."}


def test_the_service_key_names_the_user(server: LiveServer, sync: SyncLangGraphClient):
    user = new_user()
    sync.store.put_item(["a"], "k", {"text": "x"}, params={"user_id": user})
    mine = sync_client(server.url, create_key(server.sqlite_path, user))
    assert mine.store.get_item(["a"], "k")["value"] == {"text": "x"}


TOO_LARGE = {"text": "x" * 5000}
"""Past MEMORY_MAX_VALUE_CHARS (4,000)."""


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("PUT", "/store/items", {"namespace": ["a.b"], "key": "k", "value": {}}, 422),
        ("PUT", "/store/items", {"namespace": [""], "key": "k", "value": {}}, 422),
        ("PUT", "/store/items", {"namespace": [], "key": "k", "value": {}}, 400),
        ("PUT", "/store/items", {"namespace": ["a"], "key": "k", "value": "text"}, 422),
        ("PUT", "/store/items", {"namespace": ["a"], "key": "k", "value": {}, "ttl": 5}, 422),
        ("PUT", "/store/items", {"namespace": ["a"], "key": "k", "value": TOO_LARGE}, 413),
        ("POST", "/store/items/search", {"query": "x" * 2001}, 422),
        ("POST", "/store/items/search", {"filter": {"a": {"b": 1}}}, 422),
        ("POST", "/store/items/search", {"limit": 0}, 422),
        ("POST", "/store/namespaces", {"max_depth": 0}, 422),
        ("GET", "/store/items?namespace=a", None, 400),
        ("GET", "/store/items?namespace=a..b&key=k", None, 422),
        ("PUT", "/store/items", {"namespace": ["langgraph"], "key": "k", "value": {}}, 422),
    ],
    ids=[
        "dotted-label", "empty-label", "no-namespace", "value-not-object", "ttl", "too-large",
        "query-too-long", "filter-not-scalar", "limit-zero", "depth-zero", "no-key",
        "empty-label-in-get", "reserved-root",
    ],
)  # fmt: skip
def test_bad_requests_are_refused_naming_the_problem(server, method, path, body, status):
    response = httpx.request(
        method,
        f"{api_url(server.url)}{path}",
        json=body,
        headers={"x-api-key": create_key(server.sqlite_path, new_user())},
        timeout=30,
    )
    assert response.status_code == status, response.text
    assert response.json()["detail"]


NO_PERIODS = "must be a non-empty string without periods"
"""LangGraph's server's words for a bad label."""


@pytest.mark.parametrize(
    ("namespace", "status", "detail"),
    [
        (["pre.fs"], 422, f"namespace.0: Namespace label 'pre.fs' {NO_PERIODS}"),
        ([""], 422, f"namespace.0: Namespace label '' {NO_PERIODS}"),
        ([], 400, "Namespace cannot be empty."),
    ],
)  # fmt: skip
def test_a_bad_namespace_is_refused_in_langgraphs_words(server, namespace, status, detail):
    response = httpx.put(
        f"{api_url(server.url)}/store/items",
        json={"namespace": namespace, "key": "k", "value": {}},
        headers={"x-api-key": create_key(server.sqlite_path, new_user())},
        timeout=30,
    )
    assert (response.status_code, response.json()) == (status, {"detail": detail})
