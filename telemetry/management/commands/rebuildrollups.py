"""Count every stored run again into the rollups the dashboard and the vitals read."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from telemetry.models import RunRollup, UserRollup
from telemetry.rollups import rebuild_all


class Command(BaseCommand):
    """Rebuild the rollups from the metrics (after a restore, or deleting history by hand)."""

    help = (
        "Rebuild the rollups (runs per minute and hour, users per hour and day) from every "
        "stored run metric. "
        "Run it after restoring a backup or deleting metrics by hand; runs that end meanwhile "
        "wait for it (it holds one transaction)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        """Rebuild, then say how many runs and rows it counted, and how long it took."""
        started = time.perf_counter()
        runs = rebuild_all()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Counted {runs} runs into {RunRollup.objects.count()} minute and hour rows and "
            f"{UserRollup.objects.count()} user rows (hours and days) in {seconds:.1f} s."
        )
