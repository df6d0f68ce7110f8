"""A real loopback HTTP server that stands in for Anthropic's Messages API.

It speaks the streaming protocol (`message_start`, `content_block_*`, `ping`, `message_delta`,
`message_stop`, `error` events) and answers forced tool calls without streaming. Tests script
it with a responder that receives the parsed request JSON; every request is recorded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.fake_openai import (
    Delay,
    FakeOpenAI,
    RecordedRequest,
    _ChatCompletionsHandler,
)


@dataclass(frozen=True)
class Text:
    """Answer with `content` (streamed in `chunks`, or split on words), with a `ping` first."""

    content: str | Sequence[str]
    input_tokens: int = 11
    output_tokens: int = 7

    def chunks(self) -> list[str]:
        """Return the pieces to stream, in order."""
        if isinstance(self.content, str):
            return re.findall(r"\S+\s*|\s+", self.content) or [""]
        return list(self.content)


@dataclass(frozen=True)
class ToolUse:
    """Answer a forced tool call with `input` (non-streaming)."""

    input: dict[str, Any]
    input_tokens: int = 13
    output_tokens: int = 5


@dataclass(frozen=True)
class HTTPError:
    """Fail before any stream with HTTP `status` and an Anthropic-style error body."""

    status: int
    type: str = "api_error"
    message: str = "Internal server error"


@dataclass(frozen=True)
class StreamError:
    """Stream `chunks`, then send an `error` event of `type` (e.g. overloaded_error)."""

    chunks: Sequence[str]
    type: str = "overloaded_error"
    message: str = "Overloaded"


Reply = Text | ToolUse | HTTPError | StreamError | Delay
Responder = Callable[[dict[str, Any]], Reply]


class FakeAnthropic(FakeOpenAI):
    """Serve `POST /v1/messages` on 127.0.0.1 from a daemon thread while in `with`."""

    def __init__(self, responder: Responder) -> None:
        super().__init__(responder)  # type: ignore[arg-type]

    @property
    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        """The handler that speaks the Messages API."""
        return _MessagesHandler

    @property
    def base_url(self) -> str:
        """Return the URL to configure as ANTHROPIC_BASE_URL."""
        return super().base_url.removesuffix("/v1")


class _MessagesHandler(_ChatCompletionsHandler):
    server_fake: FakeAnthropic  # type: ignore[assignment]

    def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server_fake.requests.append(RecordedRequest(self.path, headers, body))
        if self.path.split("?")[0].rstrip("/") != "/v1/messages":
            self._send_error(HTTPError(404, "not_found_error", f"Unknown path {self.path}"))
            return
        reply = self.server_fake.responder(body)
        if isinstance(reply, Delay):
            if self.server_fake.stopping.wait(reply.seconds):
                return
            reply = reply.then
        if isinstance(reply, HTTPError):
            self._send_error(reply)
        elif isinstance(reply, ToolUse):
            self._send_json(200, self._tool_message(reply, body))
        elif isinstance(reply, StreamError):
            self._stream(list(reply.chunks), Text(""), error=reply)
        else:
            self._stream(reply.chunks(), reply)

    def _send_error(self, error: HTTPError) -> None:
        body = {"type": "error", "error": {"type": error.type, "message": error.message}}
        self._send_json(error.status, body)

    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        self._send_body(status, "application/json", json.dumps(body))

    def _tool_message(self, reply: ToolUse, request: dict[str, Any]) -> dict[str, Any]:
        name = (request.get("tool_choice") or {}).get("name", "tool")
        block = {"type": "tool_use", "id": "toolu_fake", "name": name, "input": reply.input}
        usage = {"input_tokens": reply.input_tokens, "output_tokens": reply.output_tokens}
        return {**self._message(request), "content": [block], "stop_reason": "tool_use"} | {
            "usage": usage
        }

    def _message(self, request: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": request.get("model", "fake"),
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 0, "output_tokens": 0},
        }

    def _stream(self, pieces: list[str], reply: Text, *, error: StreamError | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        start = self._message({"model": "fake"})
        start["usage"] = {"input_tokens": reply.input_tokens, "output_tokens": 1}
        self._event("message_start", {"type": "message_start", "message": start})
        block = {"type": "text", "text": ""}
        self._event(
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": block},
        )
        self._event("ping", {"type": "ping"})
        for piece in pieces:
            delta = {"type": "text_delta", "text": piece}
            self._event(
                "content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}
            )
        if error is not None:
            failure = {"type": "error", "error": {"type": error.type, "message": error.message}}
            self._event("error", failure)
            self._write_chunk(b"")
            return
        self._event("content_block_stop", {"type": "content_block_stop", "index": 0})
        self._event("ping", {"type": "ping"})
        delta = {"stop_reason": "end_turn", "stop_sequence": None}
        usage = {"output_tokens": reply.output_tokens}
        self._event("message_delta", {"type": "message_delta", "delta": delta, "usage": usage})
        self._event("message_stop", {"type": "message_stop"})
        self._write_chunk(b"")

    def _event(self, name: str, data: dict[str, Any]) -> None:
        self._write_chunk(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())


_TOOL_ANSWERS: dict[str, dict[str, Any]] = {
    "Verdict": {"ok": True, "issues": [], "retry_subtasks": []},
    "FollowUps": {"suggestions": ["Tell me more", "Give an example", "Summarize that"]},
}


def pipeline_responder(request: dict[str, Any]) -> Reply:
    """Answer any request of this project's agents: a valid tool call when forced, else text."""
    messages = request.get("messages", [])
    last_user = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
    tool = (request.get("tool_choice") or {}).get("name")
    if tool == "Plan":
        description = f"Answer: {last_user}"[:500]
        return ToolUse({"subtasks": [{"id": 1, "description": description, "data_plan": []}]})
    if tool:
        return ToolUse(_TOOL_ANSWERS.get(tool, {}))
    return Text(f'Claude heard: "{last_user}". Here is a short answer from the stand-in.')
