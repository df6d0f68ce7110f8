"""LangGraph runs as a load: the same chats as `load.py`'s, through `/langgraph/runs/stream`.

Each chat is a thread-less run (a new thread each, as the native chats open a new session
each), streamed in `messages-tuple` mode and read with httpx (not the SDK), so that what it
costs the machine is close to the native client's: the figure compared is the server's CPU.
"""

from __future__ import annotations

import json
import time

import httpx

from bench.common.load import StreamResult


def run_body(body: dict[str, str]) -> dict[str, object]:
    """The LangGraph run of a native chat body."""
    request: dict[str, object] = {
        "assistant_id": "orchestrator",
        "input": {"messages": [{"role": "user", "content": body["prompt"]}]},
        "stream_mode": ["values", "messages-tuple"],
    }
    if "userId" in body:
        request["metadata"] = {"user_id": body["userId"]}
    return request


async def run_langgraph(
    client: httpx.AsyncClient, url: str, token: str, body: dict[str, str]
) -> StreamResult:
    """Stream one run to its end; time its first token and its end."""
    result = StreamResult()
    started = time.perf_counter()
    headers = {"x-api-key": token}
    event = ""
    try:
        async with client.stream(
            "POST", f"{url}/langgraph/runs/stream", json=run_body(body), headers=headers
        ) as response:
            if response.status_code != 200:
                result.error = f"rejected: {response.status_code}"
                return result
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                if not line.startswith("data: "):
                    continue
                result.events += 1
                if event == "error":
                    result.error = f"error {json.loads(line[6:]).get('error')}"
                elif event == "messages":
                    result.tokens += 1
                    elapsed_ms = (time.perf_counter() - started) * 1000
                    result.ttft_ms = elapsed_ms if result.ttft_ms is None else result.ttft_ms
        result.total_ms = (time.perf_counter() - started) * 1000
    except httpx.HTTPError as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    if result.error is None and not result.tokens:
        result.error = "stream ended without an answer"
    return result
