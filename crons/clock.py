"""The scheduler's clock: the real time, or, for tests, the time a file says.

With `CRON_CLOCK_FILE` set, every process's scheduler reads "now" from that file (an ISO
8601 time), so that a test moves time forward minute by minute for all of them at once,
without waiting real minutes. Production leaves it empty.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone


def now() -> datetime:
    """The scheduler's current time (aware, UTC)."""
    if not settings.CRON_CLOCK_FILE:
        return timezone.now()
    try:
        text = Path(settings.CRON_CLOCK_FILE).read_text().strip()
    except OSError:
        return timezone.now()
    return datetime.fromisoformat(text) if text else timezone.now()
