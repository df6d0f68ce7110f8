"""System checks of the observability settings."""

from __future__ import annotations

import ipaddress

from telemetry import checks


def test_a_missing_multiprocess_directory_is_e001(settings, tmp_path):
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path / "missing")
    assert [m.id for m in checks.check_multiprocess_dir()] == ["telemetry.E001"]
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)
    assert checks.check_multiprocess_dir() == []


def test_an_unknown_trace_exporter_is_w001(settings):
    settings.OTEL_TRACES_EXPORTER = "zipkin"
    assert [m.id for m in checks.check_trace_exporter()] == ["telemetry.W001"]
    settings.OTEL_TRACES_EXPORTER = "console"
    assert checks.check_trace_exporter() == []


def test_metrics_open_to_everyone_without_a_token_is_w002(settings):
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("0.0.0.0/0")]
    settings.METRICS_TOKEN = ""
    assert [m.id for m in checks.check_open_metrics()] == ["telemetry.W002"]
    settings.METRICS_TOKEN = "secret"
    assert checks.check_open_metrics() == []
