"""The run endpoints and the SSE streams are described in the OpenAPI document (/docs)."""

from __future__ import annotations


def test_the_run_routes_are_operations_of_the_openapi_document(client, db):
    paths = client.get("/openapi.json").json()["paths"]
    assert "get" in paths["/v1/runs/{run_id}"]
    assert "post" in paths["/v1/runs/{run_id}/cancel"]
    assert "get" in paths["/v1/sessions/{session_id}/runs"]


def test_the_streams_and_their_events_are_described_in_the_document(client, db):
    description = client.get("/openapi.json").json()["info"]["description"]
    for text in (
        "POST /v1/chat/stream",
        "GET /v1/runs/{runId}/stream",
        "Last-Event-ID",
        "onDisconnect",
        "multitaskStrategy",
        "server_shutdown",
        "`run`",
    ):
        assert text in description, text
