"""System checks for the observability settings."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

TRACE_EXPORTERS = ("otlp", "console", "none")


@register()
def check_multiprocess_dir(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Report a PROMETHEUS_MULTIPROC_DIR that is not a writable directory (telemetry.E001)."""
    directory = settings.PROMETHEUS_MULTIPROC_DIR
    if not directory or (os.path.isdir(directory) and os.access(directory, os.W_OK)):
        return []
    return [
        Error(
            f"PROMETHEUS_MULTIPROC_DIR={directory!r} is not a writable directory.",
            hint="Create it (empty) before the daphne processes start, or unset the variable.",
            id="telemetry.E001",
        )
    ]


@register()
def check_trace_exporter(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn about an OTEL_TRACES_EXPORTER this service cannot use (telemetry.W001)."""
    exporter = settings.OTEL_TRACES_EXPORTER
    if not exporter or exporter in TRACE_EXPORTERS:
        return []
    return [
        Warning(
            f"OTEL_TRACES_EXPORTER={exporter!r} is not supported: no traces will be exported.",
            hint=f"Use one of: {', '.join(TRACE_EXPORTERS)}.",
            id="telemetry.W001",
        )
    ]


@register()
def check_open_metrics(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when /metrics is open to every address without a token (telemetry.W002)."""
    everyone = any(network.prefixlen == 0 for network in settings.METRICS_ALLOWED_NETWORKS)
    if not everyone or settings.METRICS_TOKEN:
        return []
    return [
        Warning(
            "METRICS_ALLOWED_IPS lets every address read /metrics and METRICS_TOKEN is empty.",
            hint="Allow only your Prometheus' addresses, or set METRICS_TOKEN.",
            id="telemetry.W002",
        )
    ]
