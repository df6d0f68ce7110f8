from __future__ import annotations

from django.apps import AppConfig


class RunsConfig(AppConfig):
    """The run engine: admission, execution, replay buffers, leases and the run JSON API."""

    name = "runs"

    def ready(self) -> None:
        """Give every run's webhook its payload: the run resource (protocols may claim theirs)."""
        from runs.webhooks import run_resource
        from webhooks.payloads import register

        register(run_resource, fallback=True)
