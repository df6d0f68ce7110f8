"""Chat completions as a load: the same chats as `load.py`'s, through `/openai/v1`.

The client reads the stream with httpx (not the SDK), so that what it costs the machine is
close to the native client's: the figure compared is the server's CPU per chat.
"""

from __future__ import annotations

import json
import time

import httpx

from bench.common.load import StreamResult


def completion_body(body: dict[str, str]) -> dict[str, object]:
    """The chat completion of a native chat body (a new session each: no binding)."""
    request: dict[str, object] = {
        "model": "orchestrator",
        "stream": True,
        "messages": [{"role": "user", "content": body["prompt"]}],
    }
    if "userId" in body:
        request["user"] = body["userId"]
    return request


async def run_completion(
    client: httpx.AsyncClient, url: str, token: str, body: dict[str, str]
) -> StreamResult:
    """Stream one chat completion to `[DONE]`; time its first content and its end."""
    result = StreamResult()
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with client.stream(
            "POST", f"{url}/openai/v1/chat/completions", json=completion_body(body), headers=headers
        ) as response:
            if response.status_code != 200:
                result.error = f"rejected: {response.status_code}"
                return result
            async for line in response.aiter_lines():
                if not line.startswith("data: "):
                    continue
                elapsed_ms = (time.perf_counter() - started) * 1000
                data = line.removeprefix("data: ")
                if data == "[DONE]":
                    result.total_ms = elapsed_ms
                    break
                result.events += 1
                chunk = json.loads(data)
                if "error" in chunk:
                    result.error = f"error {chunk['error'].get('code')}"
                elif chunk["choices"] and chunk["choices"][0]["delta"].get("content"):
                    result.tokens += 1
                    result.ttft_ms = elapsed_ms if result.ttft_ms is None else result.ttft_ms
    except httpx.HTTPError as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    if result.error is None and result.total_ms is None:
        result.error = "stream ended without [DONE]"
    return result
