"""The context-cost check: the same chat in a session of 100 vs 100k stored messages."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.common.load import run_level, shared_client
from bench.common.pinning import pin_process
from bench.common.procstat import measure_process
from bench.common.report import other_cores
from bench.common.servers import EVERYTHING_ON, user_keys
from harness.live_server import ROOT, live_server, migrate, server_env

WARMUP_CHATS = 4


@dataclass(frozen=True)
class HistorySession:
    """A seeded session: its ids and how many messages it stores before the first chat."""

    session_id: str
    user_id: str
    stored: int


def sessions(small: int, large: int) -> tuple[HistorySession, HistorySession]:
    """The two sessions the check compares, each of its own user."""
    return (
        HistorySession(f"ctx-{small}", f"ctx-user-{small}", small),
        HistorySession(f"ctx-{large}", f"ctx-user-{large}", large),
    )


def seed_template(template: Path, seeded: tuple[HistorySession, ...]) -> None:
    """Migrate `template` and seed each session (bulk_create in a subprocess)."""
    migrate(template)
    for session in seeded:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.common.seed_history",
                session.session_id,
                session.user_id,
                str(session.stored),
            ],
            cwd=ROOT,
            env=server_env(template),
            check=True,
            timeout=600,
        )


async def chat_cpu_ms(
    url: str, pid: int, session: HistorySession, prompt: str, chats: int, key: str
) -> tuple[float, float | None]:
    """Server CPU ms per chat over `chats` chats in `session` (with its user's key)."""
    body = {"sessionId": session.session_id, "prompt": prompt}
    async with shared_client(1) as client:
        warm = await run_level(client, url, [body] * WARMUP_CHATS, token=key, concurrency=1)
        async with measure_process(pid) as usage:
            run = await run_level(client, url, [body] * chats, token=key, concurrency=1)
    if warm.errors or run.errors:
        raise RuntimeError(f"context check: {warm.errors + run.errors} chats failed in {session}")
    return usage.cpu_seconds * 1000 / chats, other_cores(run, usage)


def measure_context_cost(
    workdir: Path,
    *,
    small: int,
    large: int,
    chats: int,
    repeat: int,
    prompt: str,
    server_core: int | None,
) -> list[tuple[float, float, float | None]]:
    """Return (large, small) CPU ms per chat and the others' load for each repeat.

    The two sessions alternate which goes first.
    """
    pair = sessions(small, large)
    template = workdir / "context-template.sqlite3"
    seed_template(template, pair)
    keys = dict(zip(pair, user_keys(template, [session.user_id for session in pair]), strict=True))
    results = []
    with live_server(workdir / "context", template_db=template, **EVERYTHING_ON) as s:
        if server_core is not None:
            pin_process(s.process.pid, server_core)
        for rep in range(repeat):
            order = pair if rep % 2 == 0 else pair[::-1]
            figures = {
                session.stored: asyncio.run(
                    chat_cpu_ms(s.url, s.process.pid, session, prompt, chats, keys[session])
                )
                for session in order
            }
            others = max((o for _, o in figures.values() if o is not None), default=None)
            results.append((figures[large][0], figures[small][0], others))
    return results
