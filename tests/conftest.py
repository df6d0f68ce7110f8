"""Fixtures shared by the whole suite, with named users whose roles matter.

- alice owns the sessions under test.
- bob is another user: he must never see alice's sessions, messages or notes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, sync_playwright

from accounts.limits import reset_limits
from chat.models import Message, Session
from harness.live_server import LiveServer, live_server, migrate
from harness.redis_server import redis_server
from telemetry.rollups import pending
from tests.support.browser import launch
from tests.support.runs import SLOW_RUNS

ALICE = "alice"
BOB = "bob"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """On SQLite, the test database is a file, as in production, not shared-cache memory.

    In a shared-cache in-memory database every connection shares one lock: a garbage
    collection that closes a leaked connection while a query of another thread holds it (in
    RE2's REGEXP callback, say) deadlocks the process. A file has no shared cache.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        test_path = tmp_path_factory.mktemp("test-db") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(test_path)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """pytest-django's test databases; on PostgreSQL, sessions left open end before the drop.

    A thread that ran ORM calls (asgiref's executor) keeps its connection until it exits;
    PostgreSQL refuses to drop a database with a session on it.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """Start every test with empty rate limits (the in-process windows and the cache's slots)."""
    reset_limits()
    cache.clear()
    yield
    reset_limits()
    cache.clear()


@pytest.fixture(autouse=True)
def no_pending_rollups() -> Iterator[None]:
    """Start every test with no run waiting for the rollups (an earlier test's are its own)."""
    with pending.lock:
        pending.rows.clear()
    yield


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


@pytest.fixture(scope="session")
def named_users_server(
    tmp_path_factory: pytest.TempPathFactory, template_db: Path
) -> Iterator[LiveServer]:
    """A daphne where the service key must name its user (SERVICE_KEY_USER empty).

    Production's default; the shared `server` is a development server, where the service
    key without a user acts as dev-user.
    """
    workdir = tmp_path_factory.mktemp("named-users")
    with live_server(workdir, template_db=template_db, SERVICE_KEY_USER="") as running:
        yield running


@pytest.fixture(scope="session")
def slow_server(
    tmp_path_factory: pytest.TempPathFactory, template_db: Path
) -> Iterator[LiveServer]:
    """A daphne whose runs take a second or two (SLOW_RUNS): long enough to act on mid-run.

    Shared by the protocol tests that stop, cancel, cut or rejoin runs, each in threads or
    sessions of their own.
    """
    with live_server(tmp_path_factory.mktemp("slow"), template_db=template_db, **SLOW_RUNS) as s:
        yield s


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, for the tests of the example apps.

    Per module: Playwright's sync API runs one instance at a time in a thread, and other
    modules (the playground's, the admin's) start their own.
    """
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
