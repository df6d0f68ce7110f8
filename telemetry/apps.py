from __future__ import annotations

import time

from django.apps import AppConfig


class TelemetryConfig(AppConfig):
    """Tool calls, request metrics, health and vitals."""

    name = "telemetry"
    started_at: float = time.time()

    def ready(self) -> None:
        """Record when this process started serving, for `uptime_seconds` in vitals."""
        TelemetryConfig.started_at = time.time()
