"""AG-UI's route is described in the OpenAPI document (/docs)."""

from __future__ import annotations

from django.test import Client


def test_the_ag_ui_route_is_described_in_the_document(db):
    description = Client().get("/openapi.json").json()["info"]["description"]
    for words in ("POST /ag-ui", "RunAgentInput", "RUN_FINISHED", "forwardedProps.userId"):
        assert words in description, words
