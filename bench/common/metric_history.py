"""Synthetic run history: many stored metrics spread over past days, for the dashboard.

Used by `bench/studies/dashboard_bench.py` (100k runs) and to give the dashboard screenshots a
week of history next to the demo's real runs. Nothing here runs the pipeline.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported in the functions: as a script, Django is set up first
    from chat.models import Session
    from telemetry.models import RequestMetric

AGENTS = ("planner", "worker", "critic", "synthesizer")


def history_sessions(users: int, per_user: int, prefix: str = "hist") -> list[Session]:
    """Create `users` × `per_user` sessions named `{prefix}-u{n}-{m}`."""
    from chat.models import Session

    sessions = [
        Session(session_id=f"{prefix}-u{user}-{n}", user_id=f"{prefix}-user-{user}")
        for user in range(users)
        for n in range(per_user)
    ]
    Session.objects.bulk_create(sessions, batch_size=2000)
    return sessions


def synthetic_metric(session: Session, when: datetime, rng: random.Random) -> RequestMetric:
    """One plausible run: lognormal latencies, rare errors and cancellations, tokens."""
    from telemetry.models import RequestMetric

    agents = {
        name: round(rng.lognormvariate(3.5 if name == "worker" else 2.5, 0.6), 3) for name in AGENTS
    }
    ttft = sum(agents.values()) + rng.lognormvariate(3.0, 0.5)
    total = ttft + rng.lognormvariate(5.0, 0.7)
    draw = rng.random()
    status = "error" if draw < 0.02 else "cancelled" if draw < 0.03 else "ok"
    return RequestMetric(
        session=session,
        user_id=session.user_id,
        ttft_ms=None if status == "cancelled" else round(ttft, 3),
        total_time_ms=round(total, 3),
        tool_call_count=rng.randint(0, 3),
        agent_timings=agents,
        status=status,
        timestamp=when,
        input_tokens=rng.randint(200, 2000),
        output_tokens=rng.randint(20, 400),
    )


def add_history(
    count: int, *, days: float, now: datetime, users: int = 200, seed: int = 7, prefix: str = "hist"
) -> int:
    """Store `count` synthetic runs over the `days` before `now`, rollups rebuilt after."""
    from telemetry.models import RequestMetric
    from telemetry.rollups import rebuild_all

    rng = random.Random(seed)
    sessions = history_sessions(users, 5, prefix)
    weights = [1 / (1 + i) for i in range(len(sessions))]  # a few heavy users, a long tail
    batch: list[RequestMetric] = []
    for _ in range(count):
        when = now - timedelta(seconds=rng.uniform(0, days * 86_400))
        batch.append(synthetic_metric(rng.choices(sessions, weights)[0], when, rng))
        if len(batch) == 5000:
            RequestMetric.objects.bulk_create(batch)
            batch = []
    RequestMetric.objects.bulk_create(batch)
    rebuild_all()
    return count


def main() -> None:
    """Add synthetic history to the configured database (SQLITE_PATH or MONGO_URI)."""
    import argparse
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orchestration_site.settings")
    parser = argparse.ArgumentParser(description="Store synthetic runs for the dashboard.")
    parser.add_argument("--runs", type=int, default=3000)
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--users", type=int, default=20)
    options = parser.parse_args()
    import django

    django.setup()
    from django.utils import timezone

    add_history(options.runs, days=options.days, now=timezone.now(), users=options.users)
    print(f"stored {options.runs} synthetic runs over {options.days:g} days")


if __name__ == "__main__":
    main()
