"""The ORM saver passes LangGraph's own conformance suite for savers, every capability."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from langgraph.checkpoint.base import empty_checkpoint
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.report import ProgressCallbacks

from checkpoints.models import Checkpoint, CheckpointWrite
from checkpoints.retention import prune_expired
from checkpoints.saver import DjangoSaver


@checkpointer_test(name="DjangoSaver")
async def django_saver():
    yield DjangoSaver()


@pytest.mark.django_db(transaction=True)
async def test_the_saver_passes_langgraphs_conformance_suite_with_every_capability():
    report = await validate(django_saver, progress=ProgressCallbacks.verbose())
    report.print_report()
    assert report.passed_all_base()
    assert report.passed_all(), "an extended capability (delete_for_runs, copy, prune) failed"


def saved(saver: DjangoSaver, thread: str, count: int, *, days_ago: float) -> list[str]:
    """`count` checkpoints in a row on `thread`, written `days_ago` days ago."""
    ids, config = [], {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
    for _ in range(count):
        checkpoint = empty_checkpoint()
        config = saver.put(config, checkpoint, {"source": "loop", "step": len(ids)}, {})
        saver.put_writes(config, [("channel", len(ids))], "task")
        ids.append(checkpoint["id"])
    written = timezone.now() - timedelta(days=days_ago)
    Checkpoint.objects.filter(checkpoint_id__in=ids).update(created_at=written)
    return ids


@pytest.mark.django_db
def test_retention_deletes_old_checkpoints_but_each_threads_latest():

    saver = DjangoSaver()
    old = saved(saver, "old-thread", 3, days_ago=10)
    lone = saved(saver, "lone-thread", 1, days_ago=10)
    recent = saved(saver, "recent-thread", 2, days_ago=1)
    cutoff = timezone.now() - timedelta(days=7)
    deleted, after = prune_expired(cutoff, batch=1)  # one thread a pass: lone-thread first
    assert (deleted, after) == (0, "lone-thread")
    deleted, after = prune_expired(cutoff, after=after, batch=1)
    assert (deleted, after) == (2, "old-thread")
    assert prune_expired(cutoff, after=after, batch=1) == (0, "")  # the pass is over
    kept = set(Checkpoint.objects.values_list("checkpoint_id", flat=True))
    assert kept == {old[-1], *lone, *recent}
    assert set(CheckpointWrite.objects.values_list("checkpoint_id", flat=True)) == kept
    assert (
        saver.get_tuple({"configurable": {"thread_id": "old-thread"}}).checkpoint["id"] == old[-1]
    )


@pytest.mark.django_db(transaction=True)
async def test_the_servers_pruner_deletes_expired_checkpoints_a_batch_at_a_time(settings):
    from asgiref.sync import sync_to_async

    from runs.pruning import CheckpointPruner

    settings.CHECKPOINT_RETENTION_DAYS = 7
    saver = DjangoSaver()
    old = await sync_to_async(saved)(saver, "pruned-thread", 4, days_ago=30)
    pruner = CheckpointPruner()
    assert await pruner.tick() == 3
    assert await pruner.tick() == 0  # the latest is kept, pass after pass
    kept = [c async for c in Checkpoint.objects.values_list("checkpoint_id", flat=True)]
    assert kept == [old[-1]]
