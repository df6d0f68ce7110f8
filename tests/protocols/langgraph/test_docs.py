"""The LangGraph API's routes are described in the OpenAPI document (/docs)."""

from __future__ import annotations

from django.test import Client


def test_the_langgraph_routes_are_described_in_the_document(db):
    description = Client().get("/openapi.json").json()["info"]["description"]
    for route in (
        "GET /langgraph/info",
        "POST /langgraph/assistants/search",
        "POST /langgraph/threads",
        "POST /langgraph/threads/search",
        "GET /langgraph/threads/{id}/state",
        "POST /langgraph/threads/{id}/runs/stream",
        "POST /langgraph/runs/wait",
        "GET /langgraph/threads/{id}/runs/{run_id}/stream",
        "POST /langgraph/threads/{id}/runs/{run_id}/cancel",
        "Last-Event-ID",
        "x-api-key",
    ):
        assert route in description, route
