from __future__ import annotations

from django.apps import AppConfig


class ChatConfig(AppConfig):
    """Conversations: sessions, messages, suggestions, their JSON API and the chat stream."""

    name = "chat"
