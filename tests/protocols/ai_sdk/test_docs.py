"""The AI SDK's routes are described in the OpenAPI document (/docs)."""

from __future__ import annotations

from django.test import Client


def test_the_ai_sdk_routes_are_described_in_the_document(db):
    description = Client().get("/openapi.json").json()["info"]["description"]
    for words in (
        "POST /ai-sdk/chat",
        "GET /ai-sdk/chat/{id}/stream",
        "x-vercel-ai-ui-message-stream",
    ):
        assert words in description, words
