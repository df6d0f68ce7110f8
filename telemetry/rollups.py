"""Keeping the rollups: each run counted as it ends, or every run counted again from the metrics.

A run adds to four rows: its minute and its hour in `RunRollup` (with the histograms), its
user's hour and day in `UserRollup`. Each is one UPDATE of `F(field) + n`, then an INSERT when
the row does not exist yet (and the UPDATE again if another process inserted it first), so
concurrent processes never lose a count on any backend. `Tally` is the one place that says
how a run is counted, for the live path and for the rebuild alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F

from telemetry.histogram import bucket_of

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


def floor_to(moment: datetime, seconds: int) -> datetime:
    """The start of the `seconds`-long period holding `moment` (UTC)."""
    epoch = int(moment.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(epoch, UTC)


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


def metric_values(metric: models.Model) -> tuple[Any, ...]:
    """The `METRIC_FIELDS` of a metric instance."""
    return tuple(getattr(metric, name) for name in METRIC_FIELDS)


def add_run(metric: models.Model) -> None:
    """Count a run that just ended (its stored metric) in its minute, hour, user's hour and day."""
    from telemetry.models import RunRollup, UserRollup

    values = metric_values(metric)
    with_histograms, counters = Tally(), Tally(histograms=False)
    with_histograms.add(*values)
    counters.add(*values)
    for span, seconds in SPANS.items():
        key = {"span": span, "start": floor_to(metric.timestamp, seconds)}
        add_to(RunRollup, key, with_histograms.sums)
    if metric.user_id:
        for span, seconds in USER_SPANS.items():
            key = {
                "span": span,
                "user_id": metric.user_id,
                "start": floor_to(metric.timestamp, seconds),
            }
            add_to(UserRollup, key, counters.sums)


def add_to(model: type[models.Model], key: dict[str, Any], sums: dict[str, float]) -> None:
    """Add `sums` to the row `key` of `model`, creating it if needed (race-safe)."""
    increments = {name: F(name) + amount for name, amount in sums.items()}
    if model.objects.filter(**key).update(**increments):
        return
    try:
        with transaction.atomic():
            model.objects.create(**key, **sums)
    except IntegrityError:  # another process created the row between the two statements
        model.objects.filter(**key).update(**increments)


def rebuild(
    metric_model: type[models.Model],
    run_rollup: type[models.Model],
    user_rollup: type[models.Model],
) -> int:
    """Count every stored metric again into fresh rollups; return how many runs were counted.

    Takes the models as arguments so that the upgrade migration can pass its historical ones.
    Streams the metrics in time order and writes each period's rows once it is complete, so
    memory stays bounded by one hour of users whatever the table's size.
    """
    models_of = {"run": run_rollup, "user": user_rollup}
    pending: dict[str, list[models.Model]] = {"run": [], "user": []}
    counted = 0
    with transaction.atomic():
        run_rollup.objects.all().delete()
        user_rollup.objects.all().delete()
        rows = metric_model.objects.order_by("timestamp").values_list(*METRIC_FIELDS)
        for kind, fields in rollup_rows(rows.iterator(chunk_size=BATCH)):
            counted += fields["runs"] if (kind, fields["span"]) == ("run", "hour") else 0
            pending[kind].append(models_of[kind](**fields))
            if len(pending[kind]) >= BATCH:
                models_of[kind].objects.bulk_create(pending[kind])
                pending[kind] = []
        for kind, left in pending.items():
            models_of[kind].objects.bulk_create(left)
    return counted


def rollup_rows(metrics: Iterable[tuple[Any, ...]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield `("run", fields)` and `("user", fields)` rows from metrics in time order.

    A row is yielded once its period is over: a minute's when the next minute begins, an
    hour's (and its users') when the next hour does, a day's users' when the next day does.
    """
    runs: dict[str, tuple[datetime, Tally]] = {}
    users: dict[str, tuple[datetime, dict[str, Tally]]] = {}
    for values in metrics:
        moment, user_id = values[0], values[1]
        for span, seconds in SPANS.items():
            start = floor_to(moment, seconds)
            if span not in runs or runs[span][0] != start:
                yield from run_row(span, runs.get(span))
                runs[span] = (start, Tally())
            runs[span][1].add(*values)
        for span, seconds in USER_SPANS.items() if user_id else ():
            start = floor_to(moment, seconds)
            if span not in users or users[span][0] != start:
                yield from user_rows(span, users.get(span))
                users[span] = (start, {})
            users[span][1].setdefault(user_id, Tally(histograms=False)).add(*values)
    for span in SPANS:
        yield from run_row(span, runs.get(span))
    for span in USER_SPANS:
        yield from user_rows(span, users.get(span))


def run_row(
    span: str, period: tuple[datetime, Tally] | None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The `RunRollup` row of a period that is over (nothing before the first)."""
    if period is not None:
        yield "run", {"span": span, "start": period[0], **period[1].sums}


def user_rows(
    span: str, period: tuple[datetime, dict[str, Tally]] | None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The `UserRollup` rows of a period that is over, one per user."""
    if period is not None:
        start, tallies = period
        for user_id, tally in tallies.items():
            yield "user", {"span": span, "user_id": user_id, "start": start, **tally.sums}


def rebuild_all() -> int:
    """Rebuild the rollups of this database from its metrics; return how many runs it counted."""
    from telemetry.models import RequestMetric, RunRollup, UserRollup

    return rebuild(RequestMetric, RunRollup, UserRollup)
