from __future__ import annotations

from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Operator tooling: the chat client and the seed, chat, acceptance and summarise commands."""

    name = "operations"
