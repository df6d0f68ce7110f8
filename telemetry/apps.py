from __future__ import annotations

import time

from django.apps import AppConfig


class TelemetryConfig(AppConfig):
    """Tool calls, request metrics, health and vitals."""

    name = "telemetry"
    started_at: float = time.time()

    def ready(self) -> None:
        """Note when this process started (vitals' uptime); turn tracing on when configured."""
        from django.conf import settings

        from telemetry import checks  # noqa: F401 - importing registers the checks
        from telemetry.tracing import configure_tracing

        TelemetryConfig.started_at = time.time()
        if settings.TRACING_ENABLED:
            configure_tracing(
                exporter=settings.OTEL_TRACES_EXPORTER,
                endpoint=settings.OTEL_EXPORTER_OTLP_ENDPOINT,
            )
