"""AG-UI's route, `POST /ag-ui` (orchestration_site/asgi.py)."""

from __future__ import annotations

from django.urls import path
from django.urls.resolvers import URLPattern

from protocols.ag_ui.consumers import AgUiConsumer


def ag_ui_routes() -> list[URLPattern]:
    """The one route: an `HttpAgent`'s url."""
    return [path("ag-ui", AgUiConsumer.as_asgi())]
