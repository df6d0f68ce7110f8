"""Fixtures of the LangGraph protocol's tests: the official Python SDK on live servers."""

from __future__ import annotations

import uuid

import pytest
from langgraph_sdk import get_client, get_sync_client
from langgraph_sdk.client import LangGraphClient, SyncLangGraphClient

from harness.live_server import LiveServer
from tests.support.keys import create_key

SERVICE_KEY = "devkey"
ASSISTANT = "orchestrator"


def api_url(server_url: str) -> str:
    """Where the LangGraph API is mounted."""
    return f"{server_url}/langgraph"


def new_user() -> str:
    """A user id no other test uses."""
    return f"lg-{uuid.uuid4().hex[:10]}"


def ask(text: str) -> dict:
    """A run input of one human message."""
    return {"messages": [{"role": "user", "content": text}]}


def sync_client(url: str, key: str = SERVICE_KEY) -> SyncLangGraphClient:
    """The SDK's synchronous client on a server (or a proxy) URL."""
    return get_sync_client(url=api_url(url), api_key=key)


@pytest.fixture
def client(server: LiveServer) -> LangGraphClient:
    """The SDK's async client with the service key."""
    return get_client(url=api_url(server.url), api_key=SERVICE_KEY)


@pytest.fixture
def sync(server: LiveServer) -> SyncLangGraphClient:
    """The SDK's sync client with the service key."""
    return sync_client(server.url)


@pytest.fixture
def slow(slow_server: LiveServer) -> SyncLangGraphClient:
    """The sync SDK on the slow server."""
    return sync_client(slow_server.url)


@pytest.fixture(scope="session")
def user_keys(server: LiveServer) -> tuple[str, str]:
    """Keys of two users on the shared server: an owner and a stranger."""
    return create_key(server.sqlite_path, new_user()), create_key(server.sqlite_path, new_user())
