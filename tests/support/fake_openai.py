"""A real loopback HTTP server that stands in for an OpenAI-compatible chat-completions API.

Tests script it with a responder: a callable that receives the parsed request JSON and
returns one of the reply objects below. Every request is recorded for later assertions.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Text:
    """Answer with `content`; a sequence gives the stream chunks, a string is split on words."""

    content: str | Sequence[str]

    def chunks(self) -> list[str]:
        """Return the pieces to stream, in order."""
        if isinstance(self.content, str):
            return re.findall(r"\S+\s*|\s+", self.content) or [""]
        return list(self.content)


@dataclass(frozen=True)
class HTTPError:
    """Fail with HTTP `status` and an OpenAI-style error body."""

    status: int
    message: str = "The server had an error."
    type: str = "server_error"
    code: str | None = None


@dataclass(frozen=True)
class BrokenStream:
    """Stream `chunks`, then close the connection abruptly without a finish chunk or [DONE]."""

    chunks: Sequence[str]


@dataclass(frozen=True)
class Raw:
    """Send `body` verbatim with HTTP `status`, e.g. malformed JSON."""

    body: str
    status: int = 200
    content_type: str = "application/json"


@dataclass(frozen=True)
class Delay:
    """Wait `seconds` (cut short when the server stops), then send `then`."""

    seconds: float
    then: Reply = field(default_factory=lambda: Text("late"))


@dataclass(frozen=True)
class Trickle:
    """Stream `pieces` one every `seconds` (a hostile model that never stops talking)."""

    pieces: Sequence[str]
    seconds: float


Reply = Text | HTTPError | BrokenStream | Raw | Delay | Trickle
Responder = Callable[[dict[str, Any]], Reply]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received; header names are lower-cased."""

    path: str
    headers: dict[str, str]
    json: dict[str, Any]


def replies_in_order(*replies: Reply) -> Responder:
    """Return a responder that gives `replies` one per request, repeating the last one."""
    pending = list(replies)
    lock = threading.Lock()

    def respond(_request: dict[str, Any]) -> Reply:
        with lock:
            return pending.pop(0) if len(pending) > 1 else pending[0]

    return respond


class FakeOpenAI:
    """Serve `POST /v1/chat/completions` on 127.0.0.1 from a daemon thread while in `with`."""

    @property
    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        """The handler that speaks the API (a subclass serves another API)."""
        return _ChatCompletionsHandler

    def __init__(self, responder: Responder, *, model: str = "fake-model") -> None:
        self.responder = responder
        self.model = model
        self.requests: list[RecordedRequest] = []
        self.stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        """Return the URL to configure as the client's base URL."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def _serve(self) -> None:
        """Serve until stopped, polling often so that leaving `with` is quick."""
        self._server.serve_forever(poll_interval=0.02)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    """Build a request handler class bound to `fake`."""

    class Handler(fake.handler_class):  # type: ignore[name-defined,misc]
        server_fake = fake

    return Handler


class _ChatCompletionsHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_fake: FakeOpenAI

    def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        fake = self.server_fake
        fake.requests.append(
            RecordedRequest(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        )
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send(HTTPError(404, f"Unknown path {self.path}", "invalid_request_error"), body)
            return
        self._send(fake.responder(body), body)

    def _send(self, reply: Reply, request: dict[str, Any]) -> None:
        if isinstance(reply, Delay):
            if not self.server_fake.stopping.wait(reply.seconds):
                self._send(reply.then, request)
        elif isinstance(reply, HTTPError):
            error = {"message": reply.message, "type": reply.type, "code": reply.code}
            self._send_body(reply.status, "application/json", json.dumps({"error": error}))
        elif isinstance(reply, Raw):
            self._send_body(reply.status, reply.content_type, reply.body)
        elif isinstance(reply, BrokenStream):
            self._stream(list(reply.chunks), finish=False)
        elif isinstance(reply, Trickle):
            self._stream(list(reply.pieces), finish=True, every=reply.seconds)
        elif request.get("stream"):
            include_usage = (request.get("stream_options") or {}).get("include_usage", False)
            self._stream(
                reply.chunks(), finish=True, usage=_usage(request, reply) if include_usage else None
            )
        else:
            self._send_body(200, "application/json", json.dumps(self._completion(reply, request)))

    def _send_body(self, status: int, content_type: str, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(
        self,
        pieces: list[str],
        *,
        finish: bool,
        usage: dict[str, int] | None = None,
        every: float = 0.0,
    ) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._event(self._chunk({"role": "assistant", "content": ""}, None))
        for piece in pieces:
            if every and self.server_fake.stopping.wait(every):
                return
            self._event(self._chunk({"content": piece}, None))
        if not finish:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._event(self._chunk({}, "stop"))
        if usage is not None:  # the final chunk of stream_options.include_usage
            self._event({**self._envelope("chat.completion.chunk"), "choices": [], "usage": usage})
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")

    def _event(self, chunk: dict[str, Any]) -> None:
        self._write_chunk(f"data: {json.dumps(chunk)}\n\n".encode())

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _chunk(self, delta: dict[str, Any], finish_reason: str | None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
        return {**self._envelope("chat.completion.chunk"), "choices": [choice]}

    def _completion(self, reply: Text, request: dict[str, Any]) -> dict[str, Any]:
        message = {"role": "assistant", "content": "".join(reply.chunks())}
        usage = _usage(request, reply)
        choice = {"index": 0, "message": message, "finish_reason": "stop"}
        return {**self._envelope("chat.completion"), "choices": [choice], "usage": usage}

    def _envelope(self, kind: str) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fake",
            "object": kind,
            "created": 0,
            "model": self.server_fake.model,
        }

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        """Keep test output quiet."""

    def handle(self) -> None:
        """Serve the connection, ignoring clients that hang up (timeouts, aborted streams)."""
        try:
            super().handle()
        except OSError:
            self.close_connection = True


def _usage(request: dict[str, Any], reply: Text) -> dict[str, int]:
    """Count tokens as words: the prompt's words in, the reply's pieces out."""
    prompt = sum(len(str(m.get("content", "")).split()) for m in request.get("messages", []))
    completion = len(reply.chunks())
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


_SCHEMA_TITLE = re.compile(r'"title":\s*"(Plan|Verdict|FollowUps|Facts)"')


def pipeline_responder(request: dict[str, Any]) -> Reply:
    """Answer any request of this project's agents: valid JSON when asked for it, else text."""
    messages = request.get("messages", [])
    last_user = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
    if (request.get("response_format") or {}).get("type") == "json_object":
        titles = _SCHEMA_TITLE.findall("\n".join(str(m.get("content", "")) for m in messages))
        return Text(json.dumps(_structured_answer(titles[-1] if titles else "", last_user)))
    return Text(f'You asked: "{last_user}". Here is a short answer from the fake model.')


def _structured_answer(title: str, prompt: str) -> dict[str, Any]:
    """Return a valid Plan, Verdict, FollowUps or Facts payload, or an empty object."""
    if title == "Plan":
        description = f"Answer: {prompt}"[:500]
        return {"subtasks": [{"id": 1, "description": description, "data_plan": []}]}
    if title == "Verdict":
        return {"ok": True, "issues": [], "retry_subtasks": []}
    if title == "FollowUps":
        return {"suggestions": ["Tell me more", "Give an example", "Summarize that"]}
    if title == "Facts":  # each sentence a fact, about its first three words
        sentences = [s.strip() for s in prompt.split(".") if s.strip()]
        return {"facts": [{"about": " ".join(s.split()[:3]), "statement": s} for s in sentences]}
    return {}


def builtin_responder(request: dict[str, Any]) -> Reply:
    """Answer as the built-in model would, reading only the messages sent over HTTP.

    The messages are read back with `llm.requests.parse`, so whatever the agents did not
    put into their requests, this stand-in cannot know.
    """
    from llm.builtin.provider import BuiltinModel
    from llm.requests import parse

    model = BuiltinModel()
    asked = parse(request.get("messages", []))
    if (request.get("response_format") or {}).get("type") == "json_object":
        return Text(json.dumps(model.structured_raw(asked, dict)))
    return Text(model.text_for(asked))
