"""Time the dashboard's and the API's aggregation queries over 100k stored runs.

Run from the project root: `.venv/bin/python -m bench.studies.dashboard_bench [--runs 100000]`.
Seeds a temporary SQLite database (or a fresh MongoDB database when MONGO_URI is set),
then times each query set a few times and prints the median. Not a test: figures only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def timed(label: str, action: Callable[[], object], repeat: int) -> None:
    """Print the median wall time of `action` over `repeat` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    print(f"{label:<44} {statistics.median(times):>9.1f} ms   (min {min(times):.1f})")


def main() -> None:
    """Seed, then time."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="dashboard-bench-"))
    os.environ.setdefault("SQLITE_PATH", str(workdir / "db.sqlite3"))
    os.environ.setdefault("MONGO_DB_NAME", f"dashboard_bench_{os.getpid()}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orchestration_site.settings")
    os.environ.setdefault("LOG_FORMAT", "text")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from bench.common.metric_history import add_history
    from telemetry.dashboard import dashboard, user_overview
    from telemetry.models import RequestMetric
    from telemetry.stats import summary

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    add_history(options.runs, days=options.days, now=timezone.now())
    seconds = time.perf_counter() - started
    print(f"seeded {options.runs} runs over {options.days:g} days in {seconds:.1f} s")
    print(f"{'query':<44} {'median':>12}")
    for period in ("24h", "7d", "30d"):
        timed(
            f"dashboard({period!r}): every chart and table",
            lambda p=period: dashboard(p),
            options.repeat,
        )
    timed("user page of the heaviest user", lambda: user_overview("hist-user-0"), options.repeat)
    timed(
        "vitals: p50/p95, statuses, tokens (all time)",
        lambda: summary(RequestMetric.objects.all()),
        options.repeat,
    )
    recent = RequestMetric.objects.filter(timestamp__gte=timezone.now() - timedelta(hours=1))
    timed("vitals ?window=1h", lambda: summary(recent), options.repeat)
    print(f"database: {workdir if 'MONGO_URI' not in os.environ else os.environ['MONGO_DB_NAME']}")


if __name__ == "__main__":
    main()
