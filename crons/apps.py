from __future__ import annotations

from django.apps import AppConfig


class CronsConfig(AppConfig):
    """Scheduled runs: the crons, their firings, and the scheduler every server process runs."""

    name = "crons"
