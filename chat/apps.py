from __future__ import annotations

from django.apps import AppConfig


class ChatConfig(AppConfig):
    """The ground every app stands on: sessions, messages, suggestions, every model's ids."""

    name = "chat"
