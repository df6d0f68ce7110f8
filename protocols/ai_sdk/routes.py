"""The AI SDK's routes, mounted under `/ai-sdk` (orchestration_site/asgi.py)."""

from __future__ import annotations

from django.urls import path
from django.urls.resolvers import URLPattern

from protocols.ai_sdk.consumers import ChatConsumer, ResumeConsumer

MOUNT = "ai-sdk"


def ai_sdk_routes() -> list[URLPattern]:
    """`POST /ai-sdk/chat` and `GET /ai-sdk/chat/{id}/stream`."""
    return [
        path(f"{MOUNT}/chat", ChatConsumer.as_asgi()),
        path(f"{MOUNT}/chat/<str:chat_id>/stream", ResumeConsumer.as_asgi()),
    ]
