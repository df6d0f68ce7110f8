"""A real PostgreSQL cluster of the test run's own, removed at its end.

`initdb` in a temporary directory, a free loopback port, stopped and removed at the end:
nothing depends on a server left running.

PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user (which
Debian's package creates) or, failing that, `nobody`; otherwise to whoever runs the tests.
It is tuned for tests, not durability (no fsync): its data lives as long as the run.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from harness.ports import free_port

SUPERUSER = "orchestrator"
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "max_connections": "300",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "64MB",
}


@dataclass
class PostgresServer:
    """A running cluster: where it listens, its files, and who runs it."""

    port: int
    datadir: Path
    root: Path
    owner: pwd.struct_passwd | None
    settings: dict[str, str]

    def url(self, database: str) -> str:
        """The `DATABASE_URL` of one of its databases."""
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start the cluster (again) on its port; return once it accepts connections."""
        options = " ".join(f"-c {name}={value}" for name, value in self.settings.items())
        run_as(
            self.owner,
            [
                str(binaries() / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-l",
                str(self.root / "server.log"),
            ]
            + ["-w", "-t", "60", "-o", f"-p {self.port} -k {self.root} {options}", "start"],
            timeout=90,
        )

    def stop(self, mode: str = "immediate") -> None:
        """Stop the cluster (`immediate`: as a crash would, every connection cut)."""
        run_as(
            self.owner,
            [str(binaries() / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "stop"],
            timeout=60,
        )


def binaries() -> Path:
    """The directory of `initdb` and `pg_ctl` (Debian keeps them out of PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("PostgreSQL is missing: make test installs it (apt-get postgresql)")
    return Path(initdb).parent


def cluster_owner() -> pwd.struct_passwd | None:
    """The unprivileged user to run the cluster as (None: the current user, not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise RuntimeError("running as root with no `postgres` or `nobody` user to own the cluster")


def run_as(owner: pwd.struct_passwd | None, command: list[str], **kwargs: object) -> None:
    """Run `command` as the cluster's owner, failing with its output."""
    user = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []} if owner else {}
    home = owner.pw_dir if owner else os.environ.get("HOME", "/")
    env = {**os.environ, "LC_ALL": "C", "HOME": home}
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, check=False, **user, **kwargs
    )  # type: ignore[call-overload]
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {result.stdout}{result.stderr}")


@contextlib.contextmanager
def postgres_server(*, crash_safe: bool = False) -> Iterator[PostgresServer]:
    """Start a fresh cluster on a free loopback port; stop it and remove its files at the end.

    `crash_safe`: every commit reaches the WAL before it returns (synchronous_commit), so a
    test that stops the cluster with `-m immediate` loses nothing committed.
    """
    owner = cluster_owner()
    root = Path(tempfile.mkdtemp(prefix="orchestrator-pg-"))  # outside 0700 pytest dirs
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    settings = SERVER_SETTINGS | ({"synchronous_commit": "on"} if crash_safe else {})
    server = PostgresServer(free_port(), root / "data", root, owner, settings)
    try:
        run_as(
            owner,
            [str(binaries() / "initdb"), "-D", str(server.datadir), "-U", SUPERUSER]
            + ["--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
            timeout=120,
        )
        server.start()
        try:
            yield server
        finally:
            with contextlib.suppress(RuntimeError):  # a test may have left it stopped
                server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def admin_url(database_url: str) -> str:
    """The URL of the cluster's `postgres` database, beside `database_url`'s."""
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres"))


def with_database(database_url: str, name: str) -> str:
    """`database_url` pointing at the database `name` of the same cluster."""
    return urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))


def create_database(database_url: str, name: str, *, template: str | None = None) -> str:
    """Create the database `name` (a copy of `template`, if given); return its URL."""
    import psycopg
    from psycopg import sql

    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with psycopg.connect(admin_url(database_url), autocommit=True) as connection:
        connection.execute(statement)
    return with_database(database_url, name)


def drop_database(database_url: str, name: str) -> None:
    """Drop the database `name`, closing its connections first."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url(database_url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
