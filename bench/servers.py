"""The servers the benchmark compares, both daphne: the chat pipeline and a bare SSE endpoint."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from tests.support.live_server import LiveServer, live_server, migrate

EVERYTHING_ON: dict[str, str] = {"BUILTIN_TOKEN_DELAY_MS": "0"}
"""The pipeline server's environment for issue #11's "everything on": add each feature's switch
here when it lands (runs, keys and rate limits, metrics, structured logs); `--env` adds more."""


@contextlib.contextmanager
def pipeline_server(
    workdir: Path, run: int = 0, env: dict[str, str] | None = None
) -> Iterator[LiveServer]:
    """Run the project on daphne on a fresh copy of a migrated SQLite file, everything on."""
    template = workdir / "template.sqlite3"
    if not template.exists():
        migrate(template)
    overrides = EVERYTHING_ON | (env or {})
    with live_server(workdir / f"pipeline-{run}", template_db=template, **overrides) as s:
        yield s


@contextlib.contextmanager
def bare_server(workdir: Path, *, events: int, tokens: int, run: int = 0) -> Iterator[LiveServer]:
    """Run daphne with `bench.bare_sse`: `events` events per POST, `tokens` of them tokens."""
    with live_server(
        workdir / f"bare-{run}",
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
