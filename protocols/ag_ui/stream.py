"""A run's events as AG-UI events, in the order `@ag-ui/client`'s verifier accepts.

Each is one SSE `data: {json}` line. What each run event becomes:
- `run` → `RUN_STARTED` (the client's `threadId` and `runId`);
- `agent` → `STEP_STARTED` / `STEP_FINISHED` (`stepName`: the agent), and, for the critic,
  a `CUSTOM` `critic_verdict` event with its verdict and whether it retries;
- `tool_call_started` → `TOOL_CALL_START`, `TOOL_CALL_ARGS` (the JSON arguments),
  `TOOL_CALL_END`; `tool_call_completed` → `TOOL_CALL_RESULT` (`{ok, latencyMs}` as JSON);
- `token` → `TEXT_MESSAGE_START` (the first), `TEXT_MESSAGE_CONTENT`;
- `done` → `TEXT_MESSAGE_END`, `CUSTOM` `suggestions`, `RUN_FINISHED` (usage, our ids);
- `error` → `RUN_ERROR` (`message`, `code`);
- `interrupted` (the run paused for a person) → `CUSTOM` `on_interrupt` per interrupt (its
  value as JSON text, as CopilotKit's LangGraph integration reads it), then `RUN_FINISHED`
  with the interrupt outcome (AG-UI 1.0: `{type: "interrupt", interrupts: [...]}`); a run
  with `resume` entries (or `forwardedProps.command.resume`) continues it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from edge.sse import compact_encoder
from edge.wire import StreamStop, WireFormat
from runs.engine import EventType, RunEvent, ToolCallIds

encode_json = compact_encoder()


@dataclass
class AgUiEvents(WireFormat):
    """One run's events as AG-UI events: AG-UI's wire format (no preamble: every line counts)."""

    thread_id: str
    client_run_id: str
    run_id: str
    text_open: bool = False
    open_steps: list[str] = field(default_factory=list)
    call_ids: ToolCallIds = field(init=False)

    def __post_init__(self) -> None:
        """Name the run's tool calls."""
        self.call_ids = ToolCallIds(self.run_id)

    @property
    def message_id(self) -> str:
        """The answer's message id."""
        return f"msg-{self.run_id}"

    @property
    def work_message_id(self) -> str:
        """The assistant message the Worker's tool calls belong to (before the answer's)."""
        return f"work-{self.run_id}"

    def render(self, events: Sequence[RunEvent]) -> bytes:
        """The SSE bytes of a batch of run events."""
        items = (item for event in events for item in self.events(event))
        return "".join(f"data: {encode_json(item)}\n\n" for item in items).encode()

    def stopped(self, reason: StreamStop) -> bytes:
        """The stream stops before the run's end: `RUN_ERROR`."""
        error = {"type": "RUN_ERROR", **reason}
        return f"data: {encode_json(error)}\n\n".encode()

    def events(self, event: RunEvent) -> list[dict[str, Any]]:
        """The AG-UI events one run event becomes."""
        data = event.data
        if event.event == EventType.RUN:
            started = {"type": "RUN_STARTED", "threadId": self.thread_id}
            return [started | {"runId": self.client_run_id}]
        if event.event == EventType.AGENT:
            return self.step(data)
        if event.event == EventType.TOOL_CALL_STARTED:
            return self.tool_started(data)
        if event.event == EventType.TOOL_CALL_COMPLETED:
            return [self.tool_result(data)]
        if event.event == EventType.TOKEN:
            return self.token(str(data.get("text", "")))
        if event.event == EventType.DONE:
            return self.finished(data)
        if event.event == EventType.ERROR:
            error = {"type": "RUN_ERROR", "message": str(data.get("message") or "The run failed.")}
            return [*self.close(), error | {"code": str(data.get("code", "error"))}]
        if event.event == EventType.INTERRUPTED:
            return self.interrupted(data)
        return []

    def interrupted(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """The run paused: `on_interrupt` per interrupt, then the interrupt outcome.

        CopilotKit's LangGraph integration listens to `on_interrupt`; `RUN_FINISHED` carries
        AG-UI 1.0's interrupt outcome.
        """
        waiting = list(data.get("interrupts") or [])
        customs = [
            {"type": "CUSTOM", "name": "on_interrupt", "value": json.dumps(w["value"])}
            for w in waiting
        ]
        interrupts = [agui_interrupt(w, data) for w in waiting] or [breakpoint_of(data)]
        finished = {
            "type": "RUN_FINISHED",
            "threadId": self.thread_id,
            "runId": self.client_run_id,
            "result": {"runId": self.run_id, "sessionId": self.thread_id, "next": data["next"]},
            "outcome": {"type": "interrupt", "interrupts": interrupts},
        }
        return [*self.close(), *customs, finished]

    def step(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """A step per agent; the critic's verdict as a custom event."""
        name = str(data.get("name"))
        if data.get("status") == "started":
            self.open_steps.append(name)
            return [{"type": "STEP_STARTED", "stepName": name}]
        events: list[dict[str, Any]] = []
        if name == "synthesizer":
            events += self.close_text()
        output = data.get("output") or {}
        if "verdict" in output:
            verdict = {**output["verdict"], "retry": output.get("retry", False)}
            events.append({"type": "CUSTOM", "name": "critic_verdict", "value": verdict})
        if "plan" in output:
            events.append({"type": "CUSTOM", "name": "plan", "value": output["plan"]})
        if name in self.open_steps:
            self.open_steps.remove(name)
        return [*events, {"type": "STEP_FINISHED", "stepName": name}]

    def tool_started(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """The server ran a DB tool: its call, whole (start, arguments, end)."""
        tool = str(data.get("tool"))
        call_id = self.call_ids.start(tool)
        arguments = json.dumps(data.get("args", {}), ensure_ascii=False)
        return [
            {
                "type": "TOOL_CALL_START",
                "toolCallId": call_id,
                "toolCallName": tool,
                "parentMessageId": self.work_message_id,
            },
            {"type": "TOOL_CALL_ARGS", "toolCallId": call_id, "delta": arguments},
            {"type": "TOOL_CALL_END", "toolCallId": call_id},
        ]

    def tool_result(self, data: dict[str, Any]) -> dict[str, Any]:
        """The DB tool's outcome (its rows went to the Worker, not to the client)."""
        call_id = self.call_ids.complete(str(data.get("tool")))
        outcome = {key: data[key] for key in ("ok", "latencyMs", "error") if key in data}
        return {
            "type": "TOOL_CALL_RESULT",
            "messageId": f"result-{call_id}",
            "toolCallId": call_id,
            "content": json.dumps(outcome, ensure_ascii=False),
        }

    def token(self, text: str) -> list[dict[str, Any]]:
        """A piece of the answer (its message opens at the first)."""
        if not text:
            return []  # AG-UI refuses an empty delta
        events: list[dict[str, Any]] = []
        if not self.text_open:
            self.text_open = True
            start = {"type": "TEXT_MESSAGE_START", "messageId": self.message_id}
            events.append(start | {"role": "assistant"})
        events.append({"type": "TEXT_MESSAGE_CONTENT", "messageId": self.message_id, "delta": text})
        return events

    def close_text(self) -> list[dict[str, Any]]:
        """`TEXT_MESSAGE_END`, if the answer's message is open."""
        if not self.text_open:
            return []
        self.text_open = False
        return [{"type": "TEXT_MESSAGE_END", "messageId": self.message_id}]

    def close(self) -> list[dict[str, Any]]:
        """Close what is open before the run ends: the text, then any step."""
        steps = [{"type": "STEP_FINISHED", "stepName": name} for name in reversed(self.open_steps)]
        self.open_steps = []
        return [*self.close_text(), *steps]

    def finished(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """The answer is stored: suggestions, then the end with usage and our ids."""
        usage = data.get("usage") or {}
        tokens = {
            "inputTokens": int(usage.get("input_tokens") or 0),
            "outputTokens": int(usage.get("output_tokens") or 0),
        }
        tokens["totalTokens"] = tokens["inputTokens"] + tokens["outputTokens"]
        result = {
            "runId": self.run_id,
            "sessionId": self.thread_id,
            "answerMessageId": data.get("messageId"),
            "timings": data.get("timings"),
        }
        return [
            *self.close(),
            {"type": "CUSTOM", "name": "suggestions", "value": data.get("suggestions", [])},
            {
                "type": "RUN_FINISHED",
                "threadId": self.thread_id,
                "runId": self.client_run_id,
                "result": result,
                "outcome": {"type": "success"},
                "usage": [tokens],
            },
        ]


def agui_interrupt(waiting: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """A LangGraph interrupt as AG-UI's: a review of writes, or whatever the value asks."""
    value = waiting["value"]
    review = isinstance(value, dict) and "action_requests" in value
    return {
        "id": str(waiting["id"]),
        "reason": "tool_approval" if review else "input_required",
        "message": (
            "Approve, edit or reject the writes the worker asks to make."
            if review
            else "The run waits for an answer."
        ),
        "metadata": {"value": value, "next": data.get("next", [])},
    }


def breakpoint_of(data: dict[str, Any]) -> dict[str, Any]:
    """A pause before or after an agent as AG-UI's interrupt (resolved with no payload)."""
    checkpoint = (data.get("checkpoint") or {}).get("checkpoint_id", "")
    nexts = ", ".join(data.get("next", []))
    return {
        "id": f"pause-{checkpoint}",
        "reason": "breakpoint",
        "message": f"The run paused before {nexts}.",
        "metadata": {"next": data.get("next", []), "checkpoint": data.get("checkpoint")},
    }
