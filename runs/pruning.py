"""Each server process's pruner of old checkpoints (checkpoints/retention.py), on a timer."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

from checkpoints.retention import prune_expired
from telemetry.outages import Repeating

logger = logging.getLogger(__name__)


class CheckpointPruner:
    """Deletes expired checkpoints every CHECKPOINT_PRUNE_SECONDS (off with retention 0)."""

    def __init__(self) -> None:
        """Start from the first thread."""
        self.after = ""

    async def run(self) -> None:
        """Prune a batch of threads per tick; failing ticks (the database away) logged twice."""
        attempts = Repeating(logger, "pruning checkpoints")
        while settings.CHECKPOINT_RETENTION_DAYS > 0:
            try:
                await self.tick()
            except Exception as exc:
                await attempts.failed(exc)
            else:
                attempts.worked()
            await asyncio.sleep(settings.CHECKPOINT_PRUNE_SECONDS)

    async def tick(self) -> int:
        """One batch; the number of checkpoints deleted."""
        cutoff = timezone.now() - timedelta(days=settings.CHECKPOINT_RETENTION_DAYS)
        deleted, self.after = await sync_to_async(prune_expired)(cutoff, after=self.after)
        if deleted:
            logger.info("deleted %d checkpoints older than %s", deleted, cutoff.isoformat())
        return deleted
