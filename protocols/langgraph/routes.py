"""LangGraph's Agent Server API, mounted under `/langgraph` (orchestration_site/asgi.py)."""

from __future__ import annotations

from typing import Any

from django.urls import path, re_path
from django.urls.resolvers import URLPattern

from edge.cors import ASGIApp
from protocols.langgraph.consumers import JoinStreamConsumer, StartRunConsumer
from protocols.langgraph.crons import CronResource, CronSearchResource, CronsResource
from protocols.langgraph.resources import (
    AssistantsResource,
    InfoResource,
    RunResource,
    RunsResource,
    StateResource,
    ThreadResource,
    ThreadsResource,
    UnknownRoute,
)
from protocols.langgraph.store import StoreResource

MOUNT = "langgraph"
THREAD = f"{MOUNT}/threads/<str:thread_id>"
RUN = f"{THREAD}/runs/<str:run_id>"


def langgraph_routes() -> list[URLPattern]:
    """Every route of the protocol, the catch-all 404 last."""
    start = StartRunConsumer.as_asgi
    runs_list = RunsResource.as_asgi(methods=("GET", "POST"))
    store = StoreResource.as_asgi
    return [
        path(f"{MOUNT}/info", InfoResource.as_asgi()),
        path(f"{MOUNT}/assistants/search", AssistantsResource.as_asgi()),
        path(f"{MOUNT}/assistants/<str:assistant_id>", AssistantsResource.as_asgi()),
        path(f"{MOUNT}/threads", ThreadsResource.as_asgi()),
        path(f"{MOUNT}/threads/search", ThreadsResource.as_asgi(search=True)),
        path(f"{THREAD}", ThreadResource.as_asgi()),
        path(f"{THREAD}/state", StateResource.as_asgi()),
        path(f"{THREAD}/state/checkpoint", StateResource.as_asgi(by_body=True, methods=("POST",))),
        path(f"{THREAD}/state/<str:checkpoint_id>", StateResource.as_asgi(methods=("GET",))),
        path(f"{THREAD}/history", StateResource.as_asgi(history=True, methods=("GET", "POST"))),
        path(f"{THREAD}/runs", by_method(start(answer_mode="background"), runs_list)),
        path(f"{THREAD}/runs/crons", CronsResource.as_asgi()),
        path(f"{THREAD}/runs/stream", start(answer_mode="stream")),
        path(f"{THREAD}/runs/wait", start(answer_mode="wait")),
        path(f"{RUN}", RunResource.as_asgi()),
        path(f"{RUN}/join", RunResource.as_asgi(action="join")),
        path(f"{RUN}/stream", JoinStreamConsumer.as_asgi()),
        path(f"{RUN}/cancel", RunResource.as_asgi(action="cancel", methods=("POST",))),
        path(f"{MOUNT}/runs/crons", CronsResource.as_asgi()),
        path(f"{MOUNT}/runs/crons/search", CronSearchResource.as_asgi()),
        path(f"{MOUNT}/runs/crons/count", CronSearchResource.as_asgi(count=True)),
        path(f"{MOUNT}/runs/crons/<str:cron_id>", CronResource.as_asgi()),
        path(f"{MOUNT}/runs", start(answer_mode="background")),
        path(f"{MOUNT}/runs/stream", start(answer_mode="stream")),
        path(f"{MOUNT}/runs/wait", start(answer_mode="wait")),
        path(f"{MOUNT}/store/items", StoreResource.as_asgi()),
        path(f"{MOUNT}/store/items/search", store(action="search", methods=("POST",))),
        path(f"{MOUNT}/store/namespaces", store(action="namespaces", methods=("POST",))),
        re_path(rf"^{MOUNT}(/.*)?$", UnknownRoute.as_asgi()),
    ]


def by_method(post: ASGIApp, other: ASGIApp) -> ASGIApp:
    """One path, two consumers: POST starts a run, any other method goes to `other`."""

    async def dispatch(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await (post if scope["method"] == "POST" else other)(scope, receive, send)

    return dispatch
