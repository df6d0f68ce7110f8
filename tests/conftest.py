"""Fixtures shared by the whole suite, with named users whose roles matter.

- alice owns the sessions under test.
- bob is another user: he must never see alice's sessions, messages or notes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache

from accounts.limits import reset_limits
from chat.models import Message, Session
from harness.live_server import LiveServer, live_server, migrate
from harness.redis_server import redis_server

ALICE = "alice"
BOB = "bob"


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """Start every test with empty rate limits (the in-process windows and the cache's slots)."""
    reset_limits()
    cache.clear()
    yield
    reset_limits()
    cache.clear()


@pytest.fixture
def auth_headers(settings) -> dict[str, str]:
    """Headers that authenticate with the configured dev token."""
    return {"Authorization": f"Bearer {settings.DEV_AUTH_TOKEN}"}


@pytest.fixture
def alice_session(db) -> Session:
    """A session of alice's with two turns."""
    session = Session.objects.create(session_id="alice-s1", user_id=ALICE)
    Message.objects.create(session=session, user_id=ALICE, role="user", content="My name is Alice")
    Message.objects.create(
        session=session, user_id=ALICE, role="assistant", content="Nice to meet you, Alice."
    )
    return session


@pytest.fixture
def bob_session(db) -> Session:
    """A session of bob's, which alice's tool calls must never read."""
    session = Session.objects.create(session_id="bob-s1", user_id=BOB)
    Message.objects.create(session=session, user_id=BOB, role="user", content="Bob's secret plan")
    return session


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a real redis-server started for this test run (stopped at its end).

    Tests that use it flush what they wrote or use keys of their own.
    """
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server.url


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied by every live server of the run."""
    path = tmp_path_factory.mktemp("template") / "db.sqlite3"
    migrate(path)
    return path


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> Iterator[LiveServer]:
    """A daphne with the built-in model, shared by the tests that only add their own sessions."""
    with live_server(tmp_path_factory.mktemp("server"), template_db=template_db) as running:
        yield running
