"""A run's events as LangGraph's stream parts, per requested stream mode.

Every part is an SSE event with an `id:`: the first part of run event N has id `N`, the
next ones `N.1`, `N.2`, … So a `Last-Event-ID` names one part exactly, and a join renders
the run from its start (the renderer keeps the answer so far and the state) and sends the
parts after it: no part is lost or sent twice, whatever the modes.

What each run event becomes:
- `run` → `metadata` `{run_id, attempt}`, then `values` (the state with the new message);
- `agent` completed → `updates` `{<agent>: {...}}` and `values` after it (the Synthesizer's
  come with `done`, which carries the stored answer and its suggestions);
- `tool_call_started` / `tool_call_completed` → `custom`;
- `token` → `messages` (`[AIMessageChunk, metadata]`, for `messages-tuple`) and
  `messages/metadata` + `messages/partial` (for `messages`);
- `done` → the Synthesizer's `updates` and the final `values`, `messages/complete`;
  `error` → `error` `{error, message}`;
- `interrupted` (the run paused for a person) → `updates` `{"__interrupt__": [...]}` and the
  state with its `__interrupt__` (`values`), as LangGraph's server ends a paused run;
- `resumed` (another server took the run over) → `metadata` `{run_id, attempt: n}`, as
  LangGraph's server starts each attempt of a run, and `values` without the answer so far:
  the answer starts over under a message id of its own (`run-<id>-<n>`), so a client never
  joins the text of two attempts (useStream replaces its state on `values`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from edge.sse import SSE_HEADERS, compact_encoder
from edge.wire import StreamStop, WireFormat
from protocols.langgraph.assistant import GRAPH_ID
from protocols.langgraph.threads import langchain_message
from runs.engine import EventType, RunEvent

Part = tuple[str, Any]
encode_json = compact_encoder()
TEXT = "\u2063text\u2063"
"""Where a token's text goes in the encoded chunk template (not a string a model writes)."""


class Encoded(str):
    """A part's data already encoded as JSON (the per-token parts, from a template)."""


TRIGGERS = {
    "planner": ["branch:to:planner"],
    "worker": ["branch:to:worker"],
    "critic": ["branch:to:critic"],
    "synthesizer": ["branch:to:synthesizer"],
}
STEPS = {"planner": 1, "worker": 2, "critic": 3, "synthesizer": 4}


def parse_event_id(raw: str | None) -> tuple[int, int]:
    """A `Last-Event-ID` as (run event id, part index); (0, -1) for none or `-1`."""
    raw = (raw or "").strip()
    if raw in {"", "-1", "0"}:
        return 0, -1
    event, _, part = raw.partition(".")
    if not event.isdigit() or (part and not part.isdigit()):
        raise ValueError(f"Last-Event-ID {raw!r} is not one of this stream's ids")
    return int(event), int(part or 0)


def run_path(thread_id: str, run_id: str) -> str:
    """Where the run is (`Content-Location`), relative to the API's root `/langgraph`.

    Relative to the mount, not the host: both SDKs append a `Location` to their base URL
    (`get_client(url=…/langgraph)`), as they do when LangGraph's own server sits at `/`.
    """
    return f"/threads/{thread_id}/runs/{run_id}"


def part_id(event_id: int, index: int) -> str:
    """The SSE id of the `index`-th part of run event `event_id`."""
    return str(event_id) if index == 0 else f"{event_id}.{index}"


@dataclass
class PartContext:
    """What the parts say about their run: ids and the thread's state before it."""

    run_id: str
    thread_id: str
    assistant_id: str
    history: list[dict[str, Any]]
    """The thread's messages before this run (bounded), as LangChain dicts."""
    human: dict[str, Any] | None
    """The run's own human message."""


@dataclass
class PartStream(WireFormat):
    """One run's events as the parts of the requested modes, in order: LangGraph's wire format.

    No preamble: the SDKs reconnect by themselves.
    """

    modes: list[str]
    run: PartContext
    answer: list[str] = field(default_factory=list)
    finished_answer: str | None = None
    """The answer once stored (then it is part of the state)."""
    synthesizer_ms: float | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    """The tool calls completed since the worker's last update."""
    after: tuple[int, int] = (0, -1)
    """Parts up to this position were already sent (a join's `Last-Event-ID`)."""
    state_prefix: str | None = None
    """The JSON of the state's messages before the answer, without the closing `]}`."""
    chunk_template: tuple[str, str] | None = None
    """The JSON of a `messages` (tuple) part around its text, built at the first token."""
    attempt: int = 1
    """Which attempt of the run the parts come from (2 and more: taken over)."""

    @property
    def message_id(self) -> str:
        """The answer's message id, shared by its chunks and the final state (per attempt)."""
        run = f"run-{self.run.run_id}"
        return run if self.attempt == 1 else f"{run}-{self.attempt}"

    def headers(self, run_id: str) -> list[tuple[bytes, bytes]]:
        """SSE headers, with where the run is and where to rejoin its stream."""
        path = run_path(self.run.thread_id, run_id)
        return [
            *SSE_HEADERS,
            (b"content-location", path.encode()),
            (b"location", f"{path}/stream".encode()),
        ]

    def stopped(self, reason: StreamStop) -> bytes:
        """The stream stops before the run's end: an `error` part without an id (rejoin)."""
        error = {"error": reason["code"], "message": reason["message"]}
        return f"event: error\ndata: {encode_json(error)}\n\n".encode()

    def render(self, events: Sequence[RunEvent]) -> bytes:
        """The SSE bytes of the parts of `events` past `after`."""
        chunks = []
        for event in events:
            for index, (name, data) in enumerate(self.parts(event)):
                if (event.id, index) <= self.after:
                    continue
                payload = data if isinstance(data, Encoded) else encode_json(data)
                chunks.append(f"event: {name}\ndata: {payload}\nid: {part_id(event.id, index)}\n\n")
        return "".join(chunks).encode()

    def parts(self, event: RunEvent) -> list[Part]:
        """The parts one run event becomes."""
        data = event.data
        if event.event == EventType.RUN:
            return [("metadata", {"run_id": self.run.run_id, "attempt": 1}), *self.values()]
        if event.event == EventType.AGENT and data.get("status") == "completed":
            return self.agent_done(data)
        if event.event in {EventType.TOOL_CALL_STARTED, EventType.TOOL_CALL_COMPLETED}:
            return self.custom(event)
        if event.event == EventType.TOKEN:
            return self.token(str(data.get("text", "")))
        if event.event == EventType.DONE:
            return [*self.synthesizer_done(data), *self.complete(data)]
        if event.event == EventType.ERROR:
            error = {"error": data.get("code", "error"), "message": data.get("message", "")}
            return [("error", error)]
        if event.event == EventType.INTERRUPTED:
            return self.interrupted(data)
        if event.event == EventType.RESUMED:
            return self.resumed(data)
        return []

    def resumed(self, data: dict[str, Any]) -> list[Part]:
        """Another attempt goes on with the run: its `metadata`, and the state without the answer.

        The answer starts over, under its own message id.
        """
        self.attempt = int(data.get("attempt", self.attempt + 1))
        self.answer, self.chunk_template, self.tool_calls = [], None, []
        return [("metadata", {"run_id": self.run.run_id, "attempt": self.attempt}), *self.values()]

    def interrupted(self, data: dict[str, Any]) -> list[Part]:
        """The run paused: `updates` `{"__interrupt__": …}`, as LangGraph's server ends it.

        For an interrupt (not a pause at an agent) the state with them follows (`values`).
        """
        interrupts = [{**i, "response_schema": None} for i in data.get("interrupts") or []]
        parts = self.update("__interrupt__", interrupts)
        if interrupts and "values" in self.modes:
            (name, values), *_ = self.values()
            parts.append(
                (name, Encoded(values[:-1] + ',"__interrupt__":' + encode_json(interrupts) + "}"))
            )
        return parts

    def values(self) -> list[Part]:
        """A `values` part (the thread's state as it stands in this run), if requested.

        The messages before the answer are encoded once per stream, not once per part.
        """
        if "values" not in self.modes:
            return []
        if self.state_prefix is None:
            before = [*self.run.history, *([self.run.human] if self.run.human else [])]
            self.state_prefix = encode_json({"messages": before})[:-2]  # without "]}"
        messages = self.state_prefix
        if self.finished_answer is not None:
            answer = encode_json(self.ai_message("ai", self.finished_answer))
            messages += ("," if messages[-1] != "[" else "") + answer
        return [("values", Encoded(messages + "]}"))]

    def agent_done(self, data: dict[str, Any]) -> list[Part]:
        """`updates` and `values` after an agent (the Synthesizer's wait for `done`)."""
        name = str(data.get("name"))
        if name == "synthesizer":  # its update carries the stored answer's suggestions
            self.synthesizer_ms = data.get("durationMs")
            return []
        output = {**(data.get("output") or {}), "durationMs": data.get("durationMs")}
        if name == "worker":
            output["toolCalls"], self.tool_calls = self.tool_calls, []
        return [*self.update(name, output), *self.values()]

    def synthesizer_done(self, data: dict[str, Any]) -> list[Part]:
        """The Synthesizer's update (the answer, its suggestions) and the final state."""
        self.finished_answer = str(data.get("fullText", "".join(self.answer)))
        output = {
            "messages": [self.ai_message("ai", self.finished_answer)],
            "suggestions": data.get("suggestions", []),
            "durationMs": self.synthesizer_ms,
        }
        return [*self.update("synthesizer", output), *self.values()]

    def update(self, name: str, output: Any) -> list[Part]:
        """An `updates` part, if requested."""
        return [("updates", {name: output})] if "updates" in self.modes else []

    def custom(self, event: RunEvent) -> list[Part]:
        """A `custom` part for a tool call starting or completing, if requested."""
        if event.event == EventType.TOOL_CALL_COMPLETED:  # for the worker's update
            self.tool_calls.append(dict(event.data))
        if "custom" not in self.modes:
            return []
        status = "started" if event.event == EventType.TOOL_CALL_STARTED else "completed"
        return [("custom", {"type": "tool_call", "status": status, **event.data})]

    def token(self, text: str) -> list[Part]:
        """The parts of one piece of the answer."""
        first = not self.answer
        self.answer.append(text)
        parts: list[Part] = []
        if "messages-tuple" in self.modes:
            parts.append(("messages", self.chunk_part(text)))
        if "messages" in self.modes:
            if first:
                metadata = {self.message_id: {"metadata": self.chunk_metadata()}}
                parts.append(("messages/metadata", metadata))
            partial = self.ai_message("ai", "".join(self.answer))
            parts.append(("messages/partial", [partial]))
        return parts

    def chunk_part(self, text: str) -> Encoded:
        """`[AIMessageChunk, metadata]` for one token, encoded from a template (the hot path)."""
        if self.chunk_template is None:
            chunk = self.ai_message("AIMessageChunk", TEXT)
            before, after = encode_json([chunk, self.chunk_metadata()]).split(encode_json(TEXT))
            self.chunk_template = (before, after)
        before, after = self.chunk_template
        return Encoded(before + encode_json(text) + after)

    def complete(self, data: dict[str, Any]) -> list[Part]:
        """`messages/complete` with the stored answer, if requested."""
        if "messages" not in self.modes:
            return []
        text = str(data.get("fullText", "".join(self.answer)))
        return [("messages/complete", [self.ai_message("ai", text)])]

    def ai_message(self, kind: str, text: str) -> dict[str, Any]:
        """The answer (or a chunk of it) as a LangChain message dict."""
        return langchain_message(kind, text, self.message_id)

    def chunk_metadata(self) -> dict[str, Any]:
        """The metadata LangGraph sends with each message chunk."""
        return {
            "run_id": self.run.run_id,
            "thread_id": self.run.thread_id,
            "assistant_id": self.run.assistant_id,
            "graph_id": GRAPH_ID,
            "langgraph_node": "synthesizer",
            "langgraph_step": STEPS["synthesizer"],
            "langgraph_triggers": TRIGGERS["synthesizer"],
            "langgraph_path": ["__pregel_pull", "synthesizer"],
            "langgraph_checkpoint_ns": "",
        }
