"""End-to-end fixtures: a migrated database template and a shared live daphne."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.live_server import LiveServer, live_server, migrate


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
