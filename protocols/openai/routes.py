"""The OpenAI API's routes, mounted under `/openai/v1` (orchestration_site/asgi.py)."""

from __future__ import annotations

from django.urls import path, re_path
from django.urls.resolvers import URLPattern

from protocols.openai.consumers import ChatCompletionsConsumer, CreateResponseConsumer
from protocols.openai.resources import (
    CancelResponseConsumer,
    InputItemsConsumer,
    ModelsConsumer,
    ResponseConsumer,
    UnknownRouteConsumer,
)

MOUNT = "openai/v1"


def openai_routes() -> list[URLPattern]:
    """Every route of the protocol, the catch-all 404 last."""
    return [
        path(f"{MOUNT}/models", ModelsConsumer.as_asgi()),
        path(f"{MOUNT}/models/<str:model_id>", ModelsConsumer.as_asgi()),
        path(f"{MOUNT}/chat/completions", ChatCompletionsConsumer.as_asgi()),
        path(f"{MOUNT}/responses", CreateResponseConsumer.as_asgi()),
        path(f"{MOUNT}/responses/<str:response_id>", ResponseConsumer.as_asgi()),
        path(f"{MOUNT}/responses/<str:response_id>/cancel", CancelResponseConsumer.as_asgi()),
        path(f"{MOUNT}/responses/<str:response_id>/input_items", InputItemsConsumer.as_asgi()),
        re_path(rf"^{MOUNT}(/.*)?$", UnknownRouteConsumer.as_asgi()),
    ]
