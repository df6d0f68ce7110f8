"""The servers the benchmark compares, both daphne: the chat pipeline and a bare SSE endpoint."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from tests.support.live_server import LiveServer, live_server, migrate


@contextlib.contextmanager
def pipeline_server(workdir: Path) -> Iterator[LiveServer]:
    """Run the project on daphne: a freshly migrated SQLite file, built-in model, no token delay."""
    template = workdir / "template.sqlite3"
    migrate(template)
    with live_server(workdir / "pipeline", template_db=template, BUILTIN_TOKEN_DELAY_MS="0") as s:
        yield s


@contextlib.contextmanager
def bare_server(workdir: Path, *, events: int, tokens: int) -> Iterator[LiveServer]:
    """Run daphne with `bench.bare_sse`: `events` events per POST, `tokens` of them tokens."""
    with live_server(
        workdir,
        application="bench.bare_sse:application",
        BARE_SSE_EVENTS=str(events),
        BARE_SSE_TOKENS=str(tokens),
    ) as server:
        yield server


def log_problems(log: str, limit: int = 8) -> list[str]:
    """Return distinct log lines that look like failures (errors, tracebacks, locked database)."""
    markers = ("Traceback", "Error", "ERROR", "locked", "Exception")
    seen: list[str] = []
    for line in log.splitlines():
        if any(marker in line for marker in markers) and line not in seen:
            seen.append(line)
    return seen[:limit]
