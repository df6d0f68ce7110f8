"""ASGI entry point: the SSE stream in front of Django, everything else through Django."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orchestration_site.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import path, re_path  # noqa: E402

from edge.cors import CorsMiddleware  # noqa: E402
from protocols.ag_ui.routes import ag_ui_routes  # noqa: E402
from protocols.ai_sdk.routes import ai_sdk_routes  # noqa: E402
from protocols.langgraph.routes import langgraph_routes  # noqa: E402
from protocols.native.consumers import ChatStreamConsumer, RunStreamConsumer  # noqa: E402
from protocols.openai.routes import openai_routes  # noqa: E402
from runs.shutdown import install_server_hooks  # noqa: E402
from telemetry.asgi import ObservabilityMiddleware  # noqa: E402

http_routes = URLRouter(
    [
        path("v1/chat/stream", ChatStreamConsumer.as_asgi()),
        path("v1/runs/<str:run_id>/stream", RunStreamConsumer.as_asgi()),
        *openai_routes(),
        *langgraph_routes(),
        *ai_sdk_routes(),
        *ag_ui_routes(),
        re_path(r"", django_asgi_app),
    ]
)

install_server_hooks()
application = ProtocolTypeRouter(
    {
        "http": ObservabilityMiddleware(
            CorsMiddleware(http_routes, settings.CORS_ORIGINS, local=settings.CORS_LOCAL_ORIGINS)
        )
    }
)
