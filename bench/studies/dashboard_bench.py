"""Time the operator's console at many runs: dashboard, user page, vitals and the admin lists.

Run from the project root: `.venv/bin/python -m bench.studies.dashboard_bench [--runs 1000000]`
(`make bench-console`). Seeds a temporary SQLite database (PostgreSQL with DATABASE_URL, a
fresh MongoDB database with MONGO_URI) with that many metrics, runs, messages and tool calls,
rebuilds the rollups, then times each page a few times and prints the median beside issue
#20's target. Not a test: figures only.
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


def timed(label: str, action: Callable[[], object], repeat: int, target: float | None) -> None:
    """Print the median wall time of `action` over `repeat` runs, and its target's verdict."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    median = statistics.median(times)
    verdict = (
        "" if target is None else f"≤ {target:>5.0f}  {'PASS' if median <= target else 'MISS'}"
    )
    print(f"{label:<52} {median:>9.1f} ms  (min {min(times):>7.1f})  {verdict}")


ADMIN_LISTS = (
    ("runs/run", ""),
    ("runs/run", "?status__exact=error"),
    ("runs/run", "?p=40"),
    ("chat/message", ""),
    ("chat/message", "?role__exact=user"),
    ("telemetry/requestmetric", ""),
    ("telemetry/requestmetric", "?status__exact=cancelled"),
    ("telemetry/toolcall", ""),
    ("telemetry/toolcall", "?ok__exact=0"),
    ("chat/session", ""),
)
"""Each big list, unfiltered, by a rare status, and a later page."""


def time_admin_lists(options: argparse.Namespace) -> None:
    """Seed runs, messages and tool calls, then time each admin list as a logged-in operator."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from bench.common.console_history import add_console_history

    started = time.perf_counter()
    add_console_history(options.runs, days=options.days, now=timezone.now())
    seconds = time.perf_counter() - started
    print(f"seeded {options.runs} runs, messages and tool calls in {seconds:.1f} s")
    operator = get_user_model().objects.create_superuser("bench", "bench@example.com", "x")
    client = Client(SERVER_NAME="localhost")
    client.force_login(operator)
    for path, query in ADMIN_LISTS:
        url = f"/admin/{path}/{query}"
        assert client.get(url).status_code == 200, url
        timed(f"admin {path}/{query}", lambda u=url: client.get(u), options.repeat, 300.0)


def main() -> None:
    """Seed, then time."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--days", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--no-admin", dest="admin", action="store_false", help="Leave out the admin lists."
    )
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
    from console.dashboard import dashboard, user_overview
    from telemetry.rollup_queries import run_figures
    from telemetry.rollups import rebuild_all

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    add_history(options.runs, days=options.days, now=timezone.now())
    seconds = time.perf_counter() - started
    print(f"seeded {options.runs} runs over {options.days:g} days in {seconds:.1f} s")
    print(f"{'query':<52} {'median':>12}  {'':>14}  target")
    targets = {"24h": None, "7d": 150.0, "30d": 300.0}
    for period, target in targets.items():
        timed(
            f"dashboard({period!r}): every chart and table",
            lambda p=period: dashboard(p),
            options.repeat,
            target,
        )
    heaviest = "hist-user-0"  # add_history gives user 0 the most runs
    timed("user page of the heaviest user", lambda: user_overview(heaviest), options.repeat, 150.0)
    timed("vitals: run figures, all time", lambda: run_figures(None), options.repeat, 50.0)
    hour_ago = timezone.now() - timedelta(hours=1)
    timed("vitals ?window=1h", lambda: run_figures(hour_ago), options.repeat, None)
    started = time.perf_counter()
    runs = rebuild_all()
    print(f"rebuildrollups: {runs} runs in {time.perf_counter() - started:.1f} s")
    if options.admin:
        time_admin_lists(options)
    print(f"database: {workdir if 'MONGO_URI' not in os.environ else os.environ['MONGO_DB_NAME']}")


if __name__ == "__main__":
    main()
