"""Fixtures of the AI SDK protocol's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.live_server import LiveServer, live_server
from tests.support.runs import SLOW_RUNS


@pytest.fixture(scope="session")
def slow_server(
    tmp_path_factory: pytest.TempPathFactory, template_db: Path
) -> Iterator[LiveServer]:
    """A server whose runs take a second or two: long enough to stop or reload mid-run."""
    with live_server(
        tmp_path_factory.mktemp("ai-sdk-slow"), template_db=template_db, **SLOW_RUNS
    ) as s:
        yield s
