from __future__ import annotations

from django.apps import AppConfig


class MemoryConfig(AppConfig):
    """Token estimates, context packing, the summariser and users' saved notes."""

    name = "memory"

    def ready(self) -> None:
        """Register the app's system checks."""
        from memory import checks  # noqa: F401 - importing registers the checks
