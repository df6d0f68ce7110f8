"""Retention: checkpoints older than CHECKPOINT_RETENTION_DAYS are deleted.

All but each thread's latest: the one its state, its history's head and any resume read.

Threads are visited in id order, a batch at a time, from where the last pass stopped, so
that threads whose only old checkpoint is their latest never crowd out the others.
"""

from __future__ import annotations

from datetime import datetime

from checkpoints.models import Checkpoint
from checkpoints.saver import keep_latest

BATCH = 200
"""Threads visited per pass."""


def prune_expired(older_than: datetime, *, after: str = "", batch: int = BATCH) -> tuple[int, str]:
    """Delete the checkpoints older than `older_than` of up to `batch` threads after `after`.

    Returns how many checkpoints were deleted and the thread to go on after ("" when the
    pass reached the last thread: the next starts over).
    """
    old = Checkpoint.objects.filter(created_at__lt=older_than, thread_id__gt=after)
    threads = list(old.order_by("thread_id").values_list("thread_id", flat=True).distinct()[:batch])
    deleted = sum(prune_thread(thread_id, older_than) for thread_id in threads)
    return deleted, threads[-1] if len(threads) == batch else ""


def prune_thread(thread_id: str, older_than: datetime) -> int:
    """Delete one thread's checkpoints older than `older_than` but its latest, and their writes."""
    rows = Checkpoint.objects.filter(thread_id=thread_id)
    namespaces = set(rows.values_list("checkpoint_ns", flat=True))
    return sum(keep_latest(thread_id, ns, older_than=older_than) for ns in namespaces)
