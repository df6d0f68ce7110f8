"""A run's events as the AI SDK's UI message stream (`ai` v5+, its header's `v1`).

Each part is one SSE `data: {json}` line; the stream ends with `data: [DONE]`. What each run
event becomes:
- `run` → `start` (`messageId`, `messageMetadata` with the run and session ids);
- `agent` started → `start-step` and a `data-agent` part (`{name, status}`); completed → the
  same `data-agent` part updated (`durationMs` and what the agent decided), then
  `finish-step` (the answer's `text-end` first, when the Synthesizer's text is open);
- `tool_call_started` / `tool_call_completed` → `tool-input-available` /
  `tool-output-available` (or `tool-output-error`), `dynamic` and `providerExecuted`: the
  server ran them;
- `token` → `text-start` (the first), `text-delta`;
- `done` → `data-suggestions`, `message-metadata` (usage, timings), `finish`, `[DONE]`;
- `error` → `error` (`errorText`), `[DONE]`;
- `interrupted` (the run paused for a person) → for each write it asks about, a dynamic tool
  part (`tool-input-available`) and `tool-approval-request` (its state `approval-requested`;
  `addToolApprovalResponse` answers it and the next request resumes the run), then a
  `data-interrupt` part (what it waits for) and `finish`, `[DONE]`;
- `resumed` (another server took the run over) → the answer's `text-end`, if open, and a
  `data-resumed` part (`{attempt, reason, supersedes}`); the redone answer is a text part of
  its own (`text-<run>-<attempt>`): the stream cannot retract a part, so a client drops the
  earlier one (a replay after the take-over leaves it out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from edge.sse import SSE_HEADERS, compact_encoder
from edge.wire import StreamStop, WireFormat
from runs.engine import EventType, RunEvent, ToolCallIds

encode_json = compact_encoder()
DONE = b"data: [DONE]\n\n"
MARKER = (b"x-vercel-ai-ui-message-stream", b"v1")


def sse(part: dict[str, Any]) -> str:
    """One part as an SSE event."""
    return f"data: {encode_json(part)}\n\n"


@dataclass
class UIMessageStream(WireFormat):
    """One run's events as UI message chunks, in order: the AI SDK's wire format.

    No preamble: the AI SDK's parser reads every `data:` line as a chunk.
    """

    run_id: str
    session_id: str
    text_open: bool = False
    text_started: bool = False
    attempt: int = 1
    """Which attempt of the run the chunks come from (2 and more: taken over)."""
    agents: dict[str, int] = field(default_factory=dict)
    """How many times each agent started (the worker and critic twice on a retry)."""
    call_ids: ToolCallIds = field(init=False)

    def __post_init__(self) -> None:
        """Name the run's tool calls."""
        self.call_ids = ToolCallIds(self.run_id)

    @property
    def message_id(self) -> str:
        """The answer's UI message id."""
        return f"msg-{self.run_id}"

    @property
    def text_id(self) -> str:
        """The answer's text part id (one per attempt that streams it)."""
        text = f"text-{self.run_id}"
        return text if self.attempt == 1 else f"{text}-{self.attempt}"

    def headers(self, run_id: str) -> list[tuple[bytes, bytes]]:
        """SSE headers, the protocol's marker, and where the run is."""
        return [*SSE_HEADERS, MARKER, (b"x-run-id", run_id.encode())]

    def render(self, events: Sequence[RunEvent]) -> bytes:
        """The batch's chunks; the terminal event's batch ends with `[DONE]`."""
        body = "".join(sse(part) for event in events for part in self.parts(event)).encode()
        return body + DONE if events[-1].terminal else body

    def stopped(self, reason: StreamStop) -> bytes:
        """The stream stops before the run's end: an `error` chunk (a resume goes on)."""
        return sse({"type": "error", "errorText": error_text(reason)}).encode() + DONE

    def parts(self, event: RunEvent) -> list[dict[str, Any]]:
        """The chunks one run event becomes."""
        data = event.data
        if event.event == EventType.RUN:
            metadata = {"runId": self.run_id, "sessionId": self.session_id}
            return [{"type": "start", "messageId": self.message_id, "messageMetadata": metadata}]
        if event.event == EventType.AGENT:
            return self.agent(data)
        if event.event == EventType.TOOL_CALL_STARTED:
            return [self.tool_started(data)]
        if event.event == EventType.TOOL_CALL_COMPLETED:
            return [self.tool_completed(data)]
        if event.event == EventType.TOKEN:
            return self.token(str(data.get("text", "")))
        if event.event == EventType.DONE:
            return self.done(data)
        if event.event == EventType.ERROR:
            return [*self.close_text(), {"type": "error", "errorText": error_text(data)}]
        if event.event == EventType.INTERRUPTED:
            return self.interrupted(data)
        if event.event == EventType.RESUMED:
            return self.resumed(data)
        return []

    def resumed(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Another attempt goes on with the run: the text so far ends, a part says so."""
        parts = self.close_text()
        self.attempt, self.text_started = int(data.get("attempt", self.attempt + 1)), False
        resumed = {"type": "data-resumed", "id": f"resumed-{self.run_id}", "data": dict(data)}
        return [*parts, resumed]

    def interrupted(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """The run paused: what it asks about, a `data-interrupt` part, and the end.

        Each write it asks about is a tool part awaiting approval (which
        `addToolApprovalResponse` answers).
        """
        parts = self.close_text()
        asked = False
        for waiting in data.get("interrupts") or []:
            value = waiting.get("value")
            if not (isinstance(value, dict) and "action_requests" in value):
                continue
            for index, action in enumerate(value["action_requests"]):
                call_id = f"call-{waiting['id']}-{index}"
                parts.append(
                    {
                        "type": "tool-input-available",
                        "toolCallId": call_id,
                        "toolName": action["name"],
                        "input": action["args"],
                        "dynamic": True,
                    }
                )
                approval = f"write-{waiting['id']}-{index}"
                parts.append(
                    {"type": "tool-approval-request", "approvalId": approval, "toolCallId": call_id}
                )
                asked = True
        parts.append({"type": "data-interrupt", "id": f"interrupt-{self.run_id}", "data": data})
        parts.append({"type": "finish", "finishReason": "tool-calls" if asked else "other"})
        return parts

    def agent(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """A step per agent run, with a `data-agent` part that the completion updates."""
        name = str(data.get("name"))
        if data.get("status") == "started":
            self.agents[name] = self.agents.get(name, 0) + 1
            part = {
                "type": "data-agent",
                "id": self.agent_part_id(name),
                "data": {"name": name, "status": "started"},
            }
            return [{"type": "start-step"}, part]
        details = {key: value for key, value in data.items() if key != "output"}
        details |= data.get("output") or {}
        part = {"type": "data-agent", "id": self.agent_part_id(name), "data": details}
        return [*self.close_text(), part, {"type": "finish-step"}]

    def agent_part_id(self, name: str) -> str:
        """The data part of an agent's latest run."""
        return f"agent-{name}-{self.agents.get(name, 1)}"

    def tool_started(self, data: dict[str, Any]) -> dict[str, Any]:
        """The server ran a DB tool: its input."""
        tool = str(data.get("tool"))
        call_id = self.call_ids.start(tool)
        return {
            "type": "tool-input-available",
            "toolCallId": call_id,
            "toolName": tool,
            "input": data.get("args", {}),
            "dynamic": True,
            "providerExecuted": True,
        }

    def tool_completed(self, data: dict[str, Any]) -> dict[str, Any]:
        """The DB tool's outcome (its result went to the Worker, not to the client)."""
        call_id = self.call_ids.complete(str(data.get("tool")))
        common = {"toolCallId": call_id, "dynamic": True, "providerExecuted": True}
        if not data.get("ok"):
            error = str(data.get("error") or "the tool call failed")
            return {"type": "tool-output-error", "errorText": error, **common}
        output = {"ok": True, "latencyMs": data.get("latencyMs")}
        return {"type": "tool-output-available", "output": output, **common}

    def token(self, text: str) -> list[dict[str, Any]]:
        """A piece of the answer (its text part opens at the first)."""
        parts: list[dict[str, Any]] = []
        if not self.text_started:
            self.text_started = self.text_open = True
            parts.append({"type": "text-start", "id": self.text_id})
        parts.append({"type": "text-delta", "id": self.text_id, "delta": text})
        return parts

    def close_text(self) -> list[dict[str, Any]]:
        """`text-end`, if the answer's text part is open."""
        if not self.text_open:
            return []
        self.text_open = False
        return [{"type": "text-end", "id": self.text_id}]

    def done(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """The answer is stored: suggestions, usage and timings, the end."""
        metadata = {
            "runId": self.run_id,
            "sessionId": self.session_id,
            "answerMessageId": data.get("messageId"),
            "usage": data.get("usage"),
            "timings": data.get("timings"),
        }
        return [
            *self.close_text(),
            {
                "type": "data-suggestions",
                "id": f"suggestions-{self.run_id}",
                "data": data.get("suggestions", []),
            },
            {"type": "message-metadata", "messageMetadata": metadata},
            {"type": "finish", "finishReason": "stop"},
        ]


def error_text(data: dict[str, Any]) -> str:
    """An `error` event as the text useChat shows."""
    code, message = data.get("code", "error"), data.get("message", "")
    return f"{code}: {message}" if message else str(code)
