"""Keeping the rollups: runs counted as they end, or every run counted again from the metrics.

A run adds to four rows: its minute and its hour in `RunRollup` (with the histograms), its
user's hour and day in `UserRollup`. `Tally` is the one place that says how a run is counted,
`row_keys` the one that says which rows it adds to, for the live path and the rebuild alike.

The live path writes behind: once the transaction that stored a run's metric commits, the
run is added to this process's `pending` sums, and `flush_rollups` adds those to the database
every ROLLUP_FLUSH_SECONDS (and before this process reads a rollup, and as it stops). A flush
is one UPDATE of `F(field) + n` per row, then an INSERT when the row does not exist yet (and
the UPDATE again if another process inserted it first): concurrent processes never lose a
count on any backend, and a run's own transaction never waits on rows every process shares.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import F

from chat.models import new_object_id
from telemetry.histogram import bucket_of

logger = logging.getLogger(__name__)

AGENTS = ("planner", "worker", "critic", "synthesizer")
STATUSES = ("ok", "error", "cancelled", "interrupted")
MINUTE, HOUR, DAY = 60, 3600, 86_400
SPANS = {"minute": MINUTE, "hour": HOUR}
"""The periods of `RunRollup` rows."""
USER_SPANS = {"hour": HOUR, "day": DAY}
"""The periods of `UserRollup` rows."""
METRIC_FIELDS = (
    "timestamp",
    "user_id",
    "status",
    "ttft_ms",
    "total_time_ms",
    "tool_call_count",
    "input_tokens",
    "output_tokens",
    "agent_timings",
)
"""What a run's metric contributes, in the order `Tally.add` takes it."""
BATCH = 2000

RowKey = tuple[str, str, str, datetime]
"""A rollup row: (`run` or `user`, span, user id or "", start)."""


def floor_to(moment: datetime, seconds: int) -> datetime:
    """The start of the `seconds`-long period holding `moment` (UTC)."""
    epoch = int(moment.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(epoch, UTC)


def row_keys(moment: datetime, user_id: str) -> list[RowKey]:
    """The rows a run that ended at `moment` adds to."""
    keys = [("run", span, "", floor_to(moment, seconds)) for span, seconds in SPANS.items()]
    if user_id:
        keys += [("user", span, user_id, floor_to(moment, s)) for span, s in USER_SPANS.items()]
    return keys


def row_fields(key: RowKey) -> dict[str, Any]:
    """The model fields that name a row."""
    kind, span, user_id, start = key
    return {"span": span, "start": start, **({"user_id": user_id} if kind == "user" else {})}


def period_seconds(key: RowKey) -> int:
    """How long a row's period is."""
    return (SPANS if key[0] == "run" else USER_SPANS)[key[1]]


@dataclass
class Tally:
    """The sums of some runs, as rollup fields: counters, then histogram buckets when kept."""

    histograms: bool = True
    sums: dict[str, float] = field(default_factory=dict)

    def add(self, *values: Any) -> None:
        """Count one run, given its metric's `METRIC_FIELDS` values."""
        _, _, status, ttft, total, tools, input_tokens, output_tokens, timings = values
        if isinstance(timings, str):  # a JSON column read raw
            timings = json.loads(timings)
        self.bump("runs", 1)
        self.bump(status if status in STATUSES else "error", 1)
        self.bump("input_tokens", input_tokens or 0)
        self.bump("output_tokens", output_tokens or 0)
        self.bump("tool_calls", tools or 0)
        self.bump("total_sum_ms", total or 0.0)
        for agent in AGENTS:
            self.bump(f"{agent}_ms", float((timings or {}).get(agent) or 0.0))
        if ttft is not None:
            self.bump("ttft_count", 1)
            self.bump("ttft_sum_ms", ttft)
        if self.histograms:
            if ttft is not None:
                self.bump(f"ttft_{bucket_of(ttft):02}", 1)
            self.bump(f"total_{bucket_of(total or 0.0):02}", 1)

    def bump(self, name: str, amount: float) -> None:
        """Add `amount` to one field."""
        if amount:
            self.sums[name] = self.sums.get(name, 0) + amount

    def merge(self, other: Tally) -> None:
        """Add another tally's sums to this one."""
        for name, amount in other.sums.items():
            self.bump(name, amount)


def tallied(rows: dict[RowKey, Tally], values: tuple[Any, ...]) -> None:
    """Count one run (its `METRIC_FIELDS` values) in each row it adds to."""
    for key in row_keys(values[0], values[1]):
        rows.setdefault(key, Tally(histograms=key[0] == "run")).add(*values)


class PendingRollups:
    """The runs this process counted and has not added to the database yet (thread-safe)."""

    def __init__(self) -> None:
        """Start with nothing pending."""
        self.rows: dict[RowKey, Tally] = {}
        self.lock = threading.Lock()

    def add(self, values: tuple[Any, ...]) -> None:
        """Count one run, given its metric's `METRIC_FIELDS` values."""
        with self.lock:
            tallied(self.rows, values)

    def flush(self, run_rollup: type[models.Model], user_rollup: type[models.Model]) -> int:
        """Add the pending sums to the database in one transaction; return the rows written.

        On failure the sums stay pending for the next flush, and the error is raised. (On
        MongoDB, where `atomic()` does nothing, the rows written before the failure are then
        added twice: `rebuildrollups` sets them right.)
        """
        with self.lock:
            rows, self.rows = self.rows, {}
        try:
            with transaction.atomic():
                for kind, model in (("run", run_rollup), ("user", user_rollup)):
                    write_rows(model, {k: t for k, t in rows.items() if k[0] == kind})
        except BaseException:
            with self.lock:
                for key, tally in rows.items():
                    self.rows.setdefault(key, Tally(histograms=tally.histograms)).merge(tally)
            raise
        return len(rows)


pending = PendingRollups()
"""This process's runs not yet in the rollups."""


def metric_values(metric: models.Model) -> tuple[Any, ...]:
    """The `METRIC_FIELDS` of a metric instance."""
    return tuple(getattr(metric, name) for name in METRIC_FIELDS)


def add_run(metric: models.Model) -> None:
    """Count a run whose metric was just stored, once its transaction commits (no query)."""
    transaction.on_commit(partial(pending.add, metric_values(metric)))


def flush_rollups() -> int:
    """Add this process's pending runs to the rollups now; return the rows written."""
    from telemetry.models import RunRollup, UserRollup

    return pending.flush(RunRollup, UserRollup)


def write_rows(model: type[models.Model], rows: dict[RowKey, Tally]) -> None:
    """Add each row's sums to `model`'s table: upserts in SQL, row by row on MongoDB."""
    if connection.vendor == "mongodb":
        for key, tally in rows.items():
            add_to(model, key, tally.sums)
    else:
        upsert(model, rows)


def upsert(model: type[models.Model], rows: dict[RowKey, Tally]) -> None:
    """Add the rows' sums with `INSERT … ON CONFLICT DO UPDATE` (SQLite 3.24+, PostgreSQL).

    One single-row statement per table, run for every row (`executemany`): the database
    prepares it once. Values go through each field's `get_db_prep_value`, so a row written
    here and one written by the ORM have the same key and meet on the unique constraint.
    """
    if not rows:
        return
    meta, quote = model._meta, connection.ops.quote_name
    keys = list(row_fields(next(iter(rows))))
    sums = [f.name for f in meta.concrete_fields if f.name not in ("id", *keys)]
    fields = [meta.get_field(name) for name in ("id", *keys, *sums)]  # every column: no defaults
    table, columns = quote(meta.db_table), [quote(field.column) for field in fields]
    summed = columns[1 + len(keys) :]
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({', '.join(columns[1 : 1 + len(keys)])}) DO UPDATE SET "
        + ", ".join(f"{column} = {table}.{column} + excluded.{column}" for column in summed)
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [row_values(fields, key, tally) for key, tally in rows.items()])


def row_values(fields: list[models.Field], key: RowKey, tally: Tally) -> list[Any]:
    """One row's values for `upsert`, in `fields` order: a fresh id, the key, the sums."""
    key_fields = row_fields(key)
    sums = (tally.sums.get(field.name, 0) for field in fields[1 + len(key_fields) :])
    values = (new_object_id(), *key_fields.values(), *sums)
    return [
        field.get_db_prep_value(value, connection)
        for field, value in zip(fields, values, strict=True)
    ]


def add_to(model: type[models.Model], key: RowKey, sums: dict[str, float]) -> None:
    """Add `sums` to one row of `model`, creating it if needed (race-safe)."""
    fields = row_fields(key)
    increments = {name: F(name) + amount for name, amount in sums.items()}
    if model.objects.filter(**fields).update(**increments):
        return
    try:
        with transaction.atomic():
            model.objects.create(**fields, **sums)
    except IntegrityError:  # another process created the row between the two statements
        model.objects.filter(**fields).update(**increments)


def rebuild(
    metric_model: type[models.Model],
    run_rollup: type[models.Model],
    user_rollup: type[models.Model],
) -> int:
    """Count every stored metric again into fresh rollups; return how many runs were counted.

    Takes the models as arguments so that the upgrade migration can pass its historical ones.
    Streams the metrics in time order and writes each row once its period is over, so memory
    stays bounded by a day of users whatever the table's size.
    """
    models_of = {"run": run_rollup, "user": user_rollup}
    counted = 0
    with transaction.atomic():
        run_rollup.objects.all().delete()
        user_rollup.objects.all().delete()
        rows = metric_model.objects.order_by("timestamp").values_list(*METRIC_FIELDS)
        batches: dict[str, list[models.Model]] = {"run": [], "user": []}
        for key, tally in rollup_rows(rows.iterator(chunk_size=BATCH)):
            counted += tally.sums["runs"] if key[:2] == ("run", "hour") else 0
            batches[key[0]].append(models_of[key[0]](**row_fields(key), **tally.sums))
            if len(batches[key[0]]) >= BATCH:
                models_of[key[0]].objects.bulk_create(batches[key[0]])
                batches[key[0]] = []
        for kind, left in batches.items():
            models_of[kind].objects.bulk_create(left)
    return int(counted)


def rollup_rows(metrics: Iterable[tuple[Any, ...]]) -> Iterator[tuple[RowKey, Tally]]:
    """Yield every rollup row of metrics given in time order, each once its period is over.

    Open rows are kept by the length of their period: when a new minute, hour or day begins,
    every open row of that length belongs to the one before and is complete.
    """
    open_rows: dict[int, dict[RowKey, Tally]] = {MINUTE: {}, HOUR: {}, DAY: {}}
    current: dict[int, datetime] = {}
    for values in metrics:
        for seconds, rows in open_rows.items():
            start = floor_to(values[0], seconds)
            if current.get(seconds) != start:
                yield from rows.items()
                rows.clear()
                current[seconds] = start
        for key in row_keys(values[0], values[1]):
            rows = open_rows[period_seconds(key)]
            rows.setdefault(key, Tally(histograms=key[0] == "run")).add(*values)
    for rows in open_rows.values():
        yield from rows.items()


def rebuild_all() -> int:
    """Rebuild the rollups of this database from its metrics; return how many runs it counted.

    Runs this process has pending are dropped: their metrics are stored, so they are counted.
    """
    from telemetry.models import RequestMetric, RunRollup, UserRollup

    with pending.lock:
        pending.rows.clear()
    return rebuild(RequestMetric, RunRollup, UserRollup)
