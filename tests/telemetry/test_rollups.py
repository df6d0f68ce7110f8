"""Rollups: counted as runs end, equal to a rebuild, race-safe, built by the upgrade migration."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.forms.models import model_to_dict
from django.utils import timezone

from chat.models import Session
from telemetry.histogram import BUCKETS, bounds, bucket_of, quantile
from telemetry.models import RequestMetric, RunRollup, UserRollup
from telemetry.rollup_queries import run_figures, user_totals
from telemetry.rollups import (
    PendingRollups,
    add_run,
    add_to,
    flush_rollups,
    metric_values,
    pending,
    rebuild_all,
    upsert,
)
from telemetry.stats import nearest_rank
from tests.support.rollups import read_from_buckets

NOON = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def store_run(session: Session, when: datetime, rng: random.Random, **fields) -> RequestMetric:
    """Store one run's metric and count it, as the engine does once the run's records commit."""
    status = rng.choice(["ok", "ok", "ok", "error", "cancelled"])
    metric = RequestMetric.objects.create(
        session=session,
        user_id=session.user_id,
        status=status,
        ttft_ms=None if status == "cancelled" else rng.lognormvariate(4, 1),
        total_time_ms=rng.lognormvariate(6, 1),
        tool_call_count=rng.randint(0, 3),
        agent_timings={"planner": rng.random() * 50, "worker": rng.random() * 90},
        input_tokens=rng.randint(0, 900),
        output_tokens=rng.randint(0, 90),
        timestamp=when,
        **fields,
    )
    pending.add(metric_values(metric))
    return metric


def snapshot() -> list[dict]:
    """Every rollup row as a dict, ids and float noise left out, in a stable order."""
    flush_rollups()
    rows = []
    for model in (RunRollup, UserRollup):
        for row in model.objects.order_by(*model._meta.ordering):
            fields = model_to_dict(row, exclude=["id"])
            rows.append({k: round(v, 6) if isinstance(v, float) else v for k, v in fields.items()})
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("q", [50, 95, 99])
def test_a_percentile_read_from_buckets_is_within_one_bucket_of_the_exact_value(seed, q):
    rng = random.Random(seed)
    values = sorted(rng.lognormvariate(5, 1.5) for _ in range(rng.randint(1, 3000)))
    counts = [0] * BUCKETS
    for value in values:
        counts[bucket_of(value)] += 1
    exact = nearest_rank(values, q)
    estimate = quantile(counts, q)
    lower, upper = bounds(bucket_of(exact))
    assert abs(estimate - exact) <= upper - lower
    assert read_from_buckets(estimate, exact)


def test_every_time_falls_in_the_bucket_whose_bounds_hold_it():
    for ms in (0.0, 0.3, 1.0, 1.26, 2.0, 99.9, 100.0, 2048.0, 1e6, 1e9):
        lower, upper = bounds(bucket_of(ms))
        assert lower <= ms < upper
    assert quantile([0] * BUCKETS, 50) is None


def test_runs_counted_as_they_end_equal_a_rebuild_from_the_metrics(alice_session, bob_session):
    rng = random.Random(5)
    for minute in range(0, 150, 7):  # across minutes and hours, both users
        store_run(alice_session, NOON + timedelta(minutes=minute, seconds=rng.random() * 59), rng)
        store_run(bob_session, NOON + timedelta(minutes=minute), rng)
    live = snapshot()
    assert RunRollup.objects.filter(span="hour").count() == 3
    assert UserRollup.objects.filter(user_id="bob", span="hour").count() == 3
    assert UserRollup.objects.filter(user_id="bob", span="day").count() == 1
    assert rebuild_all() == 44
    assert snapshot() == live


def test_the_figures_match_the_metrics_they_roll_up(alice_session, bob_session):
    rng = random.Random(9)
    now = timezone.now()
    for n in range(60):
        store_run(alice_session if n % 3 else bob_session, now - timedelta(minutes=n * 9), rng)
    metrics = RequestMetric.objects.all()
    figures = run_figures(None)
    assert figures["total_runs"] == 60
    for status, count in figures["status_counts"].items():
        assert count == metrics.filter(status=status).count()
    assert figures["input_tokens"] == sum(m.input_tokens for m in metrics)
    totals = sorted(m.total_time_ms for m in metrics)
    assert read_from_buckets(figures["p95_total_ms"], nearest_rank(totals, 95))
    bob = user_totals("bob")
    assert bob.runs == 20 and bob.sums["tool_calls"] == sum(
        m.tool_call_count for m in metrics.filter(user_id="bob")
    )


def test_a_window_starts_at_the_minute_not_the_hour(alice_session):
    rng = random.Random(2)
    now = timezone.now()
    for minutes_ago in (5, 50, 70, 130):
        store_run(alice_session, now - timedelta(minutes=minutes_ago), rng)
    assert run_figures(now - timedelta(hours=1))["total_runs"] == 2
    assert run_figures(now - timedelta(minutes=75))["total_runs"] == 3
    assert run_figures(None)["total_runs"] == 4


@pytest.mark.django_db(transaction=True)
def test_processes_adding_their_runs_at_once_lose_no_count():
    session = Session.objects.create(session_id="race", user_id="racer")
    metrics = [
        RequestMetric.objects.create(session=session, user_id="racer", total_time_ms=float(n))
        for n in range(40)
    ]
    start = threading.Barrier(4)

    def a_process(mine: list[RequestMetric]) -> None:
        own = PendingRollups()  # each thread plays a process with runs of its own
        start.wait()
        try:
            for metric in mine:
                own.add(metric_values(metric))
                own.flush(RunRollup, UserRollup)
        finally:
            connection.close()

    workers = [threading.Thread(target=a_process, args=(metrics[n::4],)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert run_figures(None)["total_runs"] == 40
    assert user_totals("racer").runs == 40
    assert RunRollup.objects.filter(span="minute").count() in (1, 2)


def test_a_run_counts_once_its_transaction_commits_and_never_if_it_rolls_back(
    alice_session, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            metric = RequestMetric.objects.create(session=alice_session, user_id="alice")
            add_run(metric)
            assert not pending.rows, "nothing is counted inside the transaction"
    assert pending.rows
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            add_run(RequestMetric.objects.create(session=alice_session, user_id="alice"))
            raise RuntimeError("the run's records are not stored")
    assert run_figures(None)["total_runs"] == 1


def test_sums_a_flush_could_not_write_stay_pending_for_the_next(alice_session):
    pending.add(metric_values(RequestMetric(session=alice_session, user_id="alice")))
    with pytest.raises(FieldDoesNotExist):  # a model that is no rollup: the write fails
        pending.flush(RequestMetric, UserRollup)
    assert len(pending.rows) == 4
    assert flush_rollups() == 4
    assert run_figures(None)["total_runs"] == 1 and not pending.rows


def test_the_mongodb_path_and_the_sql_upsert_write_the_same_rows(alice_session, bob_session):
    rng = random.Random(4)
    for n in range(30):
        store_run(alice_session if n % 2 else bob_session, NOON + timedelta(minutes=7 * n), rng)
    rows, pending.rows = pending.rows, {}
    for key, tally in rows.items():  # what MongoDB runs: one ORM update per row
        add_to(RunRollup if key[0] == "run" else UserRollup, key, tally.sums)
    by_orm = snapshot()
    for kind, model in (("run", RunRollup), ("user", UserRollup)):
        upsert(model, {key: tally for key, tally in rows.items() if key[0] == kind})
    doubled = snapshot()
    assert len(doubled) == len(by_orm), "the upsert met the ORM's rows on their unique keys"
    for once, twice in zip(by_orm, doubled, strict=True):
        assert twice["runs"] == 2 * once["runs"] and twice["start"] == once["start"]


def test_the_command_rebuilds_and_says_what_it_counted(alice_session):
    RequestMetric.objects.create(session=alice_session, user_id="alice", total_time_ms=5.0)
    out = StringIO()
    call_command("rebuildrollups", stdout=out)
    assert out.getvalue().startswith("Counted 1 runs into 2 minute and hour rows and 2 user rows")
    assert run_figures(None)["total_runs"] == 1


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_migration_rolls_up_the_history_already_stored():
    executor = MigrationExecutor(connection)
    before = [("telemetry", "0005_run_moved_to_runs")]
    executor.migrate(before)
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps
        session = old.get_model("chat", "Session").objects.create(session_id="old", user_id="u")
        metrics = old.get_model("telemetry", "RequestMetric")
        for n in range(3):
            metrics.objects.create(session=session, user_id="u", total_time_ms=10.0 * n)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert run_figures(None)["total_runs"] == 3
    assert user_totals("u").runs == 3


def test_the_rollup_table_has_a_column_for_every_bucket():
    from telemetry.histogram import histogram_fields
    from telemetry.models import HISTOGRAM_BUCKETS

    assert HISTOGRAM_BUCKETS == BUCKETS
    columns = {field.name for field in RunRollup._meta.get_fields()}
    assert set(histogram_fields()) <= columns
