"""Helpers of the run tests: start a run and leave it, join it, ask the JSON API."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from operations.client import StreamEvent, stream_chat_http, stream_run_http
from tests.support.waiting import eventually

TOKEN = "devkey"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
FINISHED = {"ok", "error", "cancelled", "interrupted"}
# Runs long enough to act on mid-stream: ~30 tokens, 40 ms apart.
SLOW_RUNS = {
    "BUILTIN_TOKEN_DELAY_MS": "40",
    "RUN_HEARTBEAT_SECONDS": "0.2",
    "RUN_LEASE_SECONDS": "1",
}


def new_session() -> str:
    """A session id no other test uses."""
    return f"run-{uuid.uuid4().hex[:10]}"


def body(session: str, prompt: str = "What is AI?", **options: str) -> dict[str, str]:
    """A chat request body of alice's, with run options such as onDisconnect."""
    return {"sessionId": session, "userId": "alice", "prompt": prompt, **options}


async def chat(url: str, request: dict[str, str]) -> list[StreamEvent]:
    """Run one chat request to its end; return every event."""
    return [event async for event in stream_chat_http(url, TOKEN, request)]


async def start_and_leave(url: str, request: dict[str, str], tokens: int = 3) -> list[StreamEvent]:
    """Start a run, read until `tokens` tokens arrived, then drop the connection."""
    received: list[StreamEvent] = []
    async with httpx.AsyncClient(timeout=30) as client:
        async for event in stream_chat_http(url, TOKEN, request, client=client):
            received.append(event)
            if sum(e.event == "token" for e in received) >= tokens:
                break
    return received


async def join(url: str, run_id: str, last_event_id: int | None = None) -> list[StreamEvent]:
    """Join a run's stream and read it to its end."""
    return [e async for e in stream_run_http(url, TOKEN, run_id, last_event_id=last_event_id)]


def api(
    method: str, url: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
) -> httpx.Response:
    """Call an endpoint with the token (and any other `headers`)."""
    headers = {**HEADERS, **(headers or {})}
    return httpx.request(method, f"{url}{path}", headers=headers, timeout=30, **kwargs)


async def wait_for_run(url: str, run_id: str, timeout: float = 10) -> dict[str, Any]:
    """Wait until the run has finished; return its status JSON."""

    async def finished() -> dict[str, Any] | None:
        run = api("GET", url, f"/v1/runs/{run_id}").json()
        return run if run["status"] in FINISHED else None

    return await eventually(finished, timeout=timeout, what=f"run {run_id} finished")


def roles(url: str, session: str) -> list[str]:
    """The roles of the session's stored messages, oldest first."""
    messages = api("GET", url, f"/v1/sessions/{session}/messages?limit=500").json()["messages"]
    return [message["role"] for message in messages]


def owner_of(url: str, session_id: str) -> str:
    """The user a stored session belongs to (read with the service key)."""
    return api("GET", url, f"/v1/sessions/{session_id}").json()["userId"]


def answer_seen(events: list[StreamEvent]) -> str:
    """The answer a client shows: its tokens, minus those each `resumed` event supersedes."""
    kept: list[StreamEvent] = []
    for event in events:
        if event.event == "resumed":
            kept = [e for e in kept if e.id is not None and e.id <= event.data["supersedes"]]
        kept.append(event)
    return "".join(e.data["text"] for e in kept if e.event == "token")
