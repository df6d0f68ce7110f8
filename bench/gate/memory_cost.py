"""The memory check: recall over a user of 10,000 memories in a table of 1M, and its cost per chat.

Three figures, each a target of issue #30:
- recall's CPU per run, p95, measured in a process of the server's settings over the seeded
  table (the first recall, which loads the user's vectors, reported apart);
- the built-in embedder's CPU per item;
- server CPU per chat of that user with memory on ÷ the same chats with it off.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.common.pinning import pin_process
from bench.common.servers import EVERYTHING_ON, user_keys
from bench.gate import verdict
from bench.gate.context_cost import HistorySession, chat_cpu_ms
from harness.live_server import ROOT, live_server, migrate, server_env

USER = "memory-bench-user"
PROMPT = "What do I like about my cat in winter?"
"""A question the seeded memories answer in part: recall finds and packs five of them."""
RECALLS = 400
TABLE_USERS = 1000
ITEMS_ENV = {"MEMORY_MAX_ITEMS": "1000000"}
"""The seeded user keeps all their items (the default cap would make room at the next write)."""


@dataclass(frozen=True)
class MemoryFigures:
    """One repeat's figures."""

    recall_first_ms: float
    recall_p50_ms: float
    recall_p95_ms: float
    embed_ms: float
    chat_on_ms: float
    chat_off_ms: float
    others: float | None


def subprocess_of(template: Path, *args: str, timeout: int) -> str:
    """Run bench.common.memory_table in the server's environment; its output."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.common.memory_table", *args],
        cwd=ROOT,
        env=server_env(template, **ITEMS_ENV),
        check=True,
        timeout=timeout,
        capture_output=True,
        text=True,
    )
    return done.stdout


def seed_template(template: Path, items: int, table: int) -> None:
    """Migrate `template`; give USER `items` memories and 1,000 others the rest of `table`."""
    migrate(template)
    per_other = max(0, table - items) // TABLE_USERS
    subprocess_of(
        template, "seed", USER, str(items), str(TABLE_USERS), str(per_other), timeout=3600
    )


def chat_costs(
    workdir: Path, template: Path, key: str, chats: int, server_core: int | None, *, rep: int
) -> tuple[float, float, float | None]:
    """Server CPU ms per chat of USER with memory on and off (alternating which goes first)."""
    session = HistorySession(f"memory-bench-{rep}", USER, 0)
    figures = {}
    for enabled in ("true", "false") if rep % 2 == 0 else ("false", "true"):
        env = EVERYTHING_ON | ITEMS_ENV | {"MEMORY_ENABLED": enabled}
        with live_server(workdir / f"memory-{enabled}", template_db=template, **env) as server:
            if server_core is not None:
                pin_process(server.process.pid, server_core)
            figures[enabled] = asyncio.run(
                chat_cpu_ms(server.url, server.process.pid, session, PROMPT, chats, key)
            )
    (on, on_others), (off, off_others) = figures["true"], figures["false"]
    return on, off, verdict.largest([on_others, off_others])


def measure_memory_cost(
    workdir: Path,
    *,
    items: int,
    table: int,
    chats: int,
    repeat: int,
    server_core: int | None,
) -> list[MemoryFigures]:
    """Seed once, then measure every figure `repeat` times."""
    template = workdir / "memory-template.sqlite3"
    seed_template(template, items, table)
    (key,) = user_keys(template, [USER])
    results = []
    for rep in range(repeat):
        timing = json.loads(subprocess_of(template, "time", USER, str(RECALLS), timeout=600))
        on, off, others = chat_costs(
            workdir / f"memory-{rep}", template, key, chats, server_core, rep=rep
        )
        results.append(
            MemoryFigures(
                timing["first"],
                timing["p50"],
                timing["p95"],
                timing["embed_per_item"],
                on,
                off,
                others,
            )
        )
    return results


def memory_checks(figures: MemoryFigures, *, items: int, table: int) -> list[verdict.Check]:
    """The three targets of one repeat."""
    return [
        verdict.Check(
            f"memory: recall CPU p95, ms ({items:,} items of {table:,})",
            figures.recall_p95_ms,
            None,
            figures.recall_p95_ms,
            verdict.RECALL_P95_LIMIT_MS,
            True,
            absolute=True,
        ),
        verdict.Check(
            "memory: built-in embedding CPU per item, ms",
            figures.embed_ms,
            None,
            figures.embed_ms,
            verdict.EMBED_LIMIT_MS,
            True,
            digits=3,
            absolute=True,
        ),
        verdict.Check(
            f"memory: CPU/chat on ÷ off ({items:,} items)",
            figures.chat_on_ms,
            figures.chat_off_ms,
            verdict.ratio(figures.chat_on_ms, figures.chat_off_ms),
            verdict.MEMORY_RATIO_LIMIT,
            True,
            figures.others,
        ),
    ]
