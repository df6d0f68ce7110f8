from __future__ import annotations

from django.apps import AppConfig


class MemoryConfig(AppConfig):
    """Token estimates, context packing, the summariser and users' saved notes."""

    name = "memory"
