"""Fixtures of the OpenAI protocol's tests: the official SDK's clients on a live server."""

from __future__ import annotations

import uuid

import pytest
from openai import AsyncOpenAI, OpenAI

from harness.live_server import LiveServer
from tests.support.keys import create_key

SERVICE_KEY = "devkey"


def base_url(server: LiveServer) -> str:
    """Where the OpenAI API is mounted on `server`."""
    return f"{server.url}/openai/v1"


def new_user() -> str:
    """A user id no other test uses."""
    return f"oa-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def client(server: LiveServer) -> OpenAI:
    """The synchronous SDK with the service key, no retries (a refusal is seen as it is)."""
    return OpenAI(base_url=base_url(server), api_key=SERVICE_KEY, max_retries=0)


@pytest.fixture
def async_client(server: LiveServer) -> AsyncOpenAI:
    """The asynchronous SDK with the service key, no retries."""
    return AsyncOpenAI(base_url=base_url(server), api_key=SERVICE_KEY, max_retries=0)


@pytest.fixture(scope="session")
def user_keys(server: LiveServer) -> tuple[str, str]:
    """Keys of two users on the shared server: an owner and a stranger."""
    return create_key(server.sqlite_path, new_user()), create_key(server.sqlite_path, new_user())
