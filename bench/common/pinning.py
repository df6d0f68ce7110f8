"""Pin the server under test to one core and the client to another (Linux, when possible)."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path


def cores() -> tuple[int, int] | None:
    """The (server, client) cores: the first two this process may use; None with fewer."""
    allowed = sorted(os.sched_getaffinity(0))
    return (allowed[0], allowed[1]) if len(allowed) >= 2 else None


def can_pin() -> bool:
    """Whether there are two cores and `taskset` to pin to them."""
    return shutil.which("taskset") is not None and cores() is not None


def pin_process(pid: int, core: int) -> None:
    """Pin every thread `pid` has now (and so those it starts later) to `core`.

    What `taskset --all-tasks --pid` does, minus its failure when a thread ends meanwhile.
    """
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(ProcessLookupError):
            os.sched_setaffinity(int(task.name), {core})


def pinning_note(placement: tuple[int, int] | None) -> str:
    """One line saying how the processes were placed."""
    if placement:
        server, client = placement
        return f"server pinned to core {server}, client to core {client} (taskset)"
    return "not pinned (needs taskset and 2 cores): server and client share the cores"
