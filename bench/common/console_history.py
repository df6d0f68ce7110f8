"""Synthetic history for the admin's big lists: runs, messages and tool calls in bulk.

Used by `bench/studies/dashboard_bench.py` after `metric_history.add_history` (which makes the
sessions and the metrics): one prompt message, one run and one tool call per count, spread
over the same days. Nothing here runs the pipeline.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

BATCH = 5000
STATUSES = ("ok",) * 30 + ("error", "cancelled")


def add_console_history(count: int, *, days: float, now: datetime, seed: int = 11) -> None:
    """Store `count` messages, runs and tool calls over the `days` before `now`."""
    from chat.models import Message, Session
    from runs.models import Run
    from telemetry.models import ToolCall

    rng = random.Random(seed)
    sessions = list(Session.objects.all())
    for first in range(0, count, BATCH):
        size = min(BATCH, count - first)
        stamps = [now - timedelta(seconds=rng.uniform(0, days * 86_400)) for _ in range(size)]
        owners = [rng.choice(sessions) for _ in range(size)]
        prompts = Message.objects.bulk_create(
            Message(session=s, user_id=s.user_id, role="user", content=f"question {first + n}",
                    created_at=when)
            for n, (s, when) in enumerate(zip(owners, stamps, strict=True))
        )  # fmt: skip
        runs = Run.objects.bulk_create(
            Run(session=s, user_id=s.user_id, status=rng.choice(STATUSES), user_message=m,
                created_at=when, finished_at=when + timedelta(seconds=1))
            for s, m, when in zip(owners, prompts, stamps, strict=True)
        )  # fmt: skip
        ToolCall.objects.bulk_create(
            ToolCall(session=s, run=r, user_id=s.user_id, tool="db.find", args={"q": "x"},
                     ok=rng.random() > 0.05, latency_ms=rng.uniform(1, 30), timestamp=when)
            for s, r, when in zip(owners, runs, stamps, strict=True)
        )  # fmt: skip
