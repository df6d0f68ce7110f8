"""The servers the benchmark compares, both daphne: the chat pipeline and a bare SSE endpoint."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from harness.live_server import ROOT, LiveServer, live_server, migrate, server_env

BENCH_USERS = 64
"""The pipeline is driven with this many user API keys, one user each, used round robin."""

EVERYTHING_ON: dict[str, str] = {
    # The built-in model without its token delay: the server's own cost, not the model's.
    "BUILTIN_TOKEN_DELAY_MS": "0",
    # Rate limits stay on (checked on every request) but high enough for the load: 256 streams
    # in flight over 64 users is 4 each (+ stragglers), ~500 requests per run in a minute.
    "RATE_LIMIT_PER_MINUTE": "100000",
    "RATE_LIMIT_STREAMS": "16",
    "AUTH_FAILURES_PER_MINUTE": "20",  # the default (the test servers turn it off)
    "LOG_FORMAT": "json",  # the default, stated
}
"""The pipeline server's environment for issue #11's "everything on". Runs (in-memory replay
buffer), Prometheus metrics and persisted records are always on; requests carry user API keys
(`user_keys`), so the key lookup, the rate limits and the stream slots run. `--env` adds more."""


def user_keys(database: Path, user_ids: list[str]) -> list[str]:
    """Create a user API key for each user id in `database` (a subprocess); return the secrets."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.common.seed_keys", *user_ids],
        cwd=ROOT,
        env=server_env(database),
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    return done.stdout.split()


def seed_memories(database: Path, user_ids: list[str], items: int) -> None:
    """Give each user `items` long-term memories in `database` (a subprocess, in bulk)."""
    subprocess.run(
        [sys.executable, "-m", "bench.common.memory_table", "seed-each", str(items), *user_ids],
        cwd=ROOT,
        env=server_env(database),
        check=True,
        timeout=300,
    )


@contextlib.contextmanager
def pipeline_server(
    workdir: Path, run: int = 0, env: dict[str, str] | None = None, *, memories: int = 0
) -> Iterator[tuple[LiveServer, list[str]]]:
    """Run the project on daphne on a fresh copy of a migrated database, everything on.

    The database is a SQLite file, or a PostgreSQL database when DATABASE_URL is set. With
    `memories`, each bench user has that many long-term memories (recall finds some).

    Yields the server and the user API keys the benchmark's requests must present.
    """
    template = workdir / "template.sqlite3"
    keys_file = workdir / "template.keys"
    if not keys_file.exists():  # (on PostgreSQL the template is a database, not this file)
        migrate(template)
        users = [f"bench-user-{n}" for n in range(BENCH_USERS)]
        keys_file.write_text("\n".join(user_keys(template, users)))
        if memories:
            seed_memories(template, users, memories)
    keys = keys_file.read_text().split()
    overrides = EVERYTHING_ON | (env or {})
    with live_server(workdir / f"pipeline-{run}", template_db=template, **overrides) as s:
        yield s, keys


@contextlib.contextmanager
def bare_server(workdir: Path, *, events: int, tokens: int, run: int = 0) -> Iterator[LiveServer]:
    """Run daphne with `bench.common.bare_sse`: `events` events per POST, `tokens` tokens."""
    with live_server(
        workdir / f"bare-{run}",
        application="bench.common.bare_sse:application",
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
