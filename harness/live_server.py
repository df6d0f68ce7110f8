"""A real daphne process on a loopback port, for end-to-end tests."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from harness import postgres_server as postgres
from harness.ports import free_port as free_port  # re-exported: tests import it here

ROOT = Path(__file__).resolve().parents[1]


MONGO_URI = os.environ.get("MONGO_URI", "")
DATABASE_URL = os.environ.get("DATABASE_URL", "")
"""Set when the suite runs on PostgreSQL (harness/on_postgres.py): each server gets its own
database of that cluster, named after its SQLite path."""


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a child process we started: SIGTERM, then SIGKILL after 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def server_env(sqlite_path: Path, **overrides: str) -> dict[str, str]:
    """The environment of a test server: built-in model, known token, its own database.

    With MONGO_URI set (the suite run against MongoDB) each server gets its own MongoDB
    database, named after its SQLite path; with DATABASE_URL (the suite on PostgreSQL) its own
    PostgreSQL database, named the same way; otherwise the embedded SQLite file.
    """
    database = {"DATABASE_URL": postgres_url(sqlite_path)} if DATABASE_URL else {}
    return {
        **os.environ,
        **database,
        "MONGO_URI": MONGO_URI,
        "MONGO_DB_NAME": f"test_e2e_{abs(hash(str(sqlite_path))):x}",
        "SQLITE_PATH": str(sqlite_path),
        "LLM_PROVIDER": "builtin",
        "BUILTIN_TOKEN_DELAY_MS": "0",
        "DEV_AUTH_TOKEN": "devkey",
        "DEBUG": "false",
        "ALLOW_INSECURE_DEFAULTS": "true",
        # Many tests present wrong keys on purpose; the rate-limit tests set their own limits.
        "AUTH_FAILURES_PER_MINUTE": "0",
        "PYTHONUNBUFFERED": "1",
        **overrides,
    }


def postgres_name(sqlite_path: Path) -> str:
    """The PostgreSQL database that stands for `sqlite_path` when the suite runs on PostgreSQL."""
    return "e2e_" + hashlib.sha1(str(sqlite_path).encode()).hexdigest()[:20]


def postgres_url(sqlite_path: Path) -> str:
    """The DATABASE_URL of that database."""
    return postgres.with_database(DATABASE_URL, postgres_name(sqlite_path))


def migrate(sqlite_path: Path) -> None:
    """Create a migrated database for `sqlite_path` (that SQLite file, or its stand-in)."""
    if DATABASE_URL:
        postgres.create_database(DATABASE_URL, postgres_name(sqlite_path))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=server_env(sqlite_path),
        check=True,
        timeout=120,
    )


@dataclass
class LiveServer:
    """A running daphne: its base URL, process and log file."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    sqlite_path: Path

    def log(self) -> str:
        """Return what the server has printed so far."""
        return self.log_path.read_text(errors="replace")


def wait_until_serving(url: str, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Poll /health until the server answers at all (any status)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}")
        with contextlib.suppress(httpx.TransportError):
            httpx.get(f"{url}/health", timeout=2)
            return
        time.sleep(0.1)
    raise RuntimeError("daphne did not start serving in time")


def copy_database(template_db: Path, db_path: Path) -> None:
    """Give `db_path` a copy of the migrated template (a file, or a PostgreSQL database)."""
    if DATABASE_URL:
        postgres.create_database(
            DATABASE_URL, postgres_name(db_path), template=postgres_name(template_db)
        )
    else:
        shutil.copyfile(template_db, db_path)


@contextlib.contextmanager
def live_server(
    workdir: Path,
    *,
    template_db: Path | None = None,
    sqlite_path: Path | None = None,
    application: str = "orchestration_site.asgi:application",
    **env: str,
) -> Iterator[LiveServer]:
    """Run our server (daphne, see orchestration_site/server.py) on a free loopback port.

    `template_db` is copied as the server's database (faster than migrating each time);
    `sqlite_path` overrides where the database lives (e.g. somewhere unreachable).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = sqlite_path or workdir / "db.sqlite3"
    if MONGO_URI:
        migrate(db_path)
    elif template_db is not None and sqlite_path is None:
        copy_database(template_db, db_path)
    port = free_port()
    log_path = workdir / "daphne.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "orchestration_site.server"),
                *("-b", "127.0.0.1", "-p", str(port), application),
            ],
            cwd=ROOT,
            env=server_env(db_path, **env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path, db_path)
    try:
        wait_until_serving(server.url, process)
        yield server
    finally:
        stop(process)


@contextlib.contextmanager
def live_servers(
    workdir: Path, count: int, *, template_db: Path, **env: str
) -> Iterator[list[LiveServer]]:
    """Run `count` daphne processes on one shared database (and whatever `env` shares)."""
    workdir.mkdir(parents=True, exist_ok=True)
    shared = workdir / "shared.sqlite3"
    if not MONGO_URI:
        copy_database(template_db, shared)
    with contextlib.ExitStack() as stack:
        yield [
            stack.enter_context(live_server(workdir / f"process-{n}", sqlite_path=shared, **env))
            for n in range(count)
        ]
