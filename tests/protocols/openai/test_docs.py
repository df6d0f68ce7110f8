"""The OpenAI API's routes are described in the OpenAPI document (/docs)."""

from __future__ import annotations

from django.test import Client


def test_the_openai_routes_are_described_in_the_document(db):
    description = Client().get("/openapi.json").json()["info"]["description"]
    for route in (
        "GET /openai/v1/models",
        "POST /openai/v1/chat/completions",
        "POST /openai/v1/responses",
        "GET /openai/v1/responses/{id}",
        "POST /openai/v1/responses/{id}/cancel",
        "DELETE /openai/v1/responses/{id}",
        "GET /openai/v1/responses/{id}/input_items",
        "starting_after",
        "reasoning_content",
    ):
        assert route in description, route
