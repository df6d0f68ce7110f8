"""A run as a chat completion: streamed chunks, or one `chat.completion` object.

Streaming: the first chunk carries `delta.role`; progress goes in `delta.reasoning_content`,
the answer's tokens in `delta.content`; the last choice chunk has `finish_reason: "stop"` and
the run's `suggestions` (our extension field), then the usage chunk when asked for, then
`data: [DONE]`. A run that ends without an answer sends OpenAI's error object in the stream.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from edge.sse import SSE_HEADERS, compact_encoder, json_body
from edge.wire import StreamStop, WireFormat
from protocols.openai.bodies import MODEL_ID
from protocols.openai.errors import stream_error
from protocols.openai.progress import progress_line
from runs.engine import EventType, RunEvent

DONE = b"data: [DONE]\n\n"
encode_compact = compact_encoder()


def usage_of(done: dict[str, Any]) -> dict[str, int]:
    """OpenAI's usage object from the `done` event's usage (every agent's model calls)."""
    usage = done.get("usage") or {}
    prompt, completion = int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def frame(data: dict[str, Any]) -> bytes:
    """One `data:` event of a chat completion stream."""
    return b"data: " + json_body(data) + b"\n\n"


@dataclass
class ChunkStream(WireFormat):
    """One run's events as a chat completion stream: the chat completions' wire format.

    No preamble, no `id:` lines: OpenAI's parsers read every event's data as JSON (an
    `id:` would make a later heartbeat a JSON-less event).
    """

    completion_id: str
    created: int
    include_usage: bool
    session_id: str = ""
    """The session the run is in (`X-Session-Id`: what binds the client's next request)."""

    def chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        """A `chat.completion.chunk` with one choice."""
        return {
            "id": self.completion_id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": MODEL_ID,
            "system_fingerprint": None,
            "choices": [
                {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            ],
        }

    def __post_init__(self) -> None:
        """Frame the bytes every choice chunk shares, around its delta (the hot path)."""
        before, after = encode_compact(self.chunk({})).split('"delta":{}', 1)
        self.head = f'data: {before}"delta":'.encode()
        self.tail = f"{after}\n\n".encode()

    def delta(self, delta: dict[str, Any]) -> bytes:
        """One choice chunk with `delta` and no finish reason, framed."""
        return self.head + encode_compact(delta).encode() + self.tail

    def headers(self, run_id: str) -> list[tuple[bytes, bytes]]:
        """SSE headers with the run's and session's ids."""
        return [
            *SSE_HEADERS,
            (b"x-run-id", run_id.encode()),
            (b"x-session-id", self.session_id.encode()),
        ]

    def render(self, events: Sequence[RunEvent]) -> bytes:
        """The bytes of a batch of run events."""
        return b"".join(self.event_bytes(event) for event in events)

    def stopped(self, reason: StreamStop) -> bytes:
        """The stream stops before the run's end: OpenAI's error object, in the stream."""
        return frame(stream_error(reason["code"], reason["message"]))

    def event_bytes(self, event: RunEvent) -> bytes:
        """The bytes for one run event (empty when it shows nothing)."""
        if event.event == EventType.TOKEN:
            return self.delta({"content": event.data["text"]})
        if event.event == EventType.RUN:
            first = self.delta({"role": "assistant", "content": ""})
            line = progress_line(event)
            return first + (self.delta({"reasoning_content": line}) if line else b"")
        if event.event == EventType.DONE:
            return self.finish(event.data)
        if event.event == EventType.ERROR:
            return frame(stream_error(event.data["code"], event.data["message"])) + DONE
        line = progress_line(event)
        return self.delta({"reasoning_content": line}) if line else b""

    def finish(self, done: dict[str, Any]) -> bytes:
        """The last choice chunk (with the suggestions), the usage chunk if asked, [DONE]."""
        last = self.chunk({}, finish_reason="stop") | {"suggestions": done["suggestions"]}
        chunks = frame(last)
        if self.include_usage:
            usage = self.chunk({}) | {"choices": [], "usage": usage_of(done)}
            chunks += frame(usage)
        return chunks + DONE


@dataclass
class Completion:
    """Collects one run's events into a `chat.completion` object (no streaming)."""

    completion_id: str
    created: int
    reasoning: list[str] = field(default_factory=list)
    done: dict[str, Any] | None = None
    error: dict[str, Any] | None = None

    def add(self, event: RunEvent) -> None:
        """Take one run event."""
        if event.event == EventType.DONE:
            self.done = event.data
        elif event.event == EventType.ERROR:
            self.error = event.data
        elif (line := progress_line(event)) is not None:
            self.reasoning.append(line)

    def body(self) -> dict[str, Any]:
        """The `chat.completion` object (after a `done` event)."""
        assert self.done is not None
        message = {
            "role": "assistant",
            "content": self.done["fullText"],
            "refusal": None,
            "reasoning_content": "".join(self.reasoning),
        }
        return {
            "id": self.completion_id,
            "object": "chat.completion",
            "created": self.created,
            "model": MODEL_ID,
            "system_fingerprint": None,
            "choices": [
                {"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}
            ],
            "usage": usage_of(self.done),
            "suggestions": self.done["suggestions"],
        }
