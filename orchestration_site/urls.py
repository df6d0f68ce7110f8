"""URL routes served by Django (everything except the SSE stream, see asgi.py)."""

from __future__ import annotations

import logging

from django.contrib import admin
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.urls import path
from ninja import NinjaAPI

from accounts.api import router as identity_router
from accounts.ninja_auth import CallerAuth, install_error_handlers
from edge.errors import RequestRejected, failure_of
from protocols.ag_ui.docs import AG_UI_DOCS
from protocols.ai_sdk.docs import AI_SDK_DOCS
from protocols.langgraph.docs import LANGGRAPH_DOCS
from protocols.native.api import router as sessions_router
from protocols.native.crons import router as crons_router
from protocols.native.docs import STREAM_DOCS
from protocols.native.memories import router as memories_router
from protocols.native.states import router as states_router
from protocols.native.views import playground
from protocols.openai.docs import OPENAI_DOCS
from runs.api import router as runs_router
from telemetry.api import health_router
from telemetry.api import router as metrics_router
from telemetry.outages import DATABASE_UNREACHABLE
from telemetry.views import metrics as prometheus_metrics

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Multi-agent chat orchestration",
    version="1.0",
    description=(
        "JSON API over sessions, messages, metrics, runs and API keys. The chat itself "
        "streams from `POST /v1/chat/stream` as Server-Sent Events (see the README)."
    )
    + STREAM_DOCS
    + OPENAI_DOCS
    + LANGGRAPH_DOCS
    + AI_SDK_DOCS
    + AG_UI_DOCS,
    auth=CallerAuth(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)


@api.exception_handler(RequestRejected)
def rejected(request: HttpRequest, exc: RequestRejected) -> HttpResponse:
    """A refusal raised below the views (edge.conversation's, say): its status and detail."""
    response = api.create_response(request, exc.body(), status=exc.status)
    for name, value in exc.headers.items():
        response[name] = value
    return response


def database_failed(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    """The database cannot be reached: 503 `database_unavailable`, with Retry-After."""
    logger.error("a request failed: the database is unavailable (%s)", exc)
    return rejected(request, failure_of(exc))


for unreachable in DATABASE_UNREACHABLE:
    api.add_exception_handler(unreachable, database_failed)


api.add_router("/v1", identity_router)
api.add_router("/v1", sessions_router)
api.add_router("/v1", memories_router)
api.add_router("/v1", states_router)
api.add_router("/v1", crons_router)
api.add_router("/v1", metrics_router)
api.add_router("/v1", runs_router)
api.add_router("", health_router)

admin.site.site_header = "Chat orchestrator console"
admin.site.site_title = "Chat orchestrator"
admin.site.index_title = "Sessions, runs and metrics"
admin.site.empty_value_display = "—"
admin.site.enable_nav_sidebar = False  # the lists need the width (the index and breadcrumbs stay)

urlpatterns = [
    path("", playground, name="playground"),
    path("metrics", prometheus_metrics, name="prometheus-metrics"),
    path("admin/", admin.site.urls),
    path("", api.urls),
]
