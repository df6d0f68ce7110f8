from __future__ import annotations

from django.apps import AppConfig


class ChatConfig(AppConfig):
    """The HTTP edge: sessions, messages, suggestions, the SSE consumer and the JSON API."""

    name = "chat"
