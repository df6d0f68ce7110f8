"""Measuring in the benchmark's own process: one core, Django on a temporary database."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from harness.live_server import migrate, server_env


@contextlib.contextmanager
def django_on_a_temporary_database(prefix: str, *, pin: bool = True) -> Iterator[Path]:
    """Pin this process to one core (unless not `pin`), set Django up on a migrated SQLite file.

    Yields the database's path; the file is removed afterwards.
    """
    if pin and len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})
    with tempfile.TemporaryDirectory(prefix=prefix) as workdir:
        database = Path(workdir) / "db.sqlite3"
        migrate(database)
        os.environ.update(server_env(database))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orchestration_site.settings")
        import django

        django.setup()
        yield database
