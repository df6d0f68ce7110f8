from __future__ import annotations

from django.apps import AppConfig


class RunsConfig(AppConfig):
    """The run engine: admission, execution, replay buffers, leases and the run JSON API."""

    name = "runs"
