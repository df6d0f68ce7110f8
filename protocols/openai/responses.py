"""A run as a Responses API response: the `response` object, and its stream of events.

A response is one run (`resp_<run id>`); its status follows the run's. Its stream is rendered
from the run's events alone, so the same run always gives the same events with the same
`sequence_number`s (0, 1, 2, …): a stream resumed with `starting_after=N` renders the run
from its start and sends what comes after N, wherever the run executes.

Output items: the pipeline's progress as one reasoning item (its summary text: agent steps
and tool calls), then the answer as one assistant message with one `output_text` part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from protocols.openai.progress import progress_line
from runs.engine import EventType, RunEvent

STATUSES = {
    "queued": "queued",
    "running": "in_progress",
    "ok": "completed",
    "error": "failed",
    "cancelled": "cancelled",
    "interrupted": "incomplete",
}
"""A run's status → its response's."""
STOPPED = {"cancelled": "cancelled", "interrupted": "incomplete", "server_shutdown": "incomplete"}
"""A run's `error` code → the status of a response that stopped without failing."""


@dataclass(frozen=True)
class ResponseShape:
    """What a response says of itself whatever its state: from the request and the run."""

    response_id: str
    created_at: int
    model: str
    instructions: str
    metadata: dict[str, str]
    previous_response_id: str
    background: bool


def usage_object(input_tokens: int, output_tokens: int) -> dict[str, Any]:
    """The Responses API's usage object."""
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + output_tokens,
    }


def message_item(item_id: str, text: str, status: str) -> dict[str, Any]:
    """The answer as an output message item."""
    part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
    return {
        "id": item_id,
        "type": "message",
        "role": "assistant",
        "status": status,
        "content": [part] if status == "completed" or text else [],
    }


def response_object(
    shape: ResponseShape,
    status: str,
    *,
    output: list[dict[str, Any]] | None = None,
    usage: dict[str, Any] | None = None,
    error: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The `response` object in `status`."""
    return {
        "id": shape.response_id,
        "object": "response",
        "created_at": shape.created_at,
        "status": status,
        "background": shape.background,
        "error": error,
        "incomplete_details": None,
        "instructions": shape.instructions or None,
        "max_output_tokens": None,
        "metadata": shape.metadata,
        "model": shape.model,
        "output": output or [],
        "parallel_tool_calls": False,
        "previous_response_id": shape.previous_response_id or None,
        "reasoning": None,
        "store": True,
        "temperature": None,
        "text": {"format": {"type": "text"}},
        "tool_choice": "none",
        "tools": [],
        "top_p": None,
        "truncation": "disabled",
        "usage": usage,
        "user": None,
    }


def stored_response(
    shape: ResponseShape, run_status: str, answer: str, usage: tuple[int, int], error: str
) -> dict[str, Any]:
    """A stored response as `GET /responses/{id}` returns it (the reasoning is not kept)."""
    status = STATUSES.get(run_status, "in_progress")
    output = [message_item(message_id(shape), answer, "completed")] if answer else []
    failure = {"code": "server_error", "message": error} if status == "failed" else None
    finished = status in {"completed", "failed", "cancelled", "incomplete"}
    return response_object(
        shape,
        status,
        output=output,
        usage=usage_object(*usage) if finished else None,
        error=failure,
    )


def message_id(shape: ResponseShape) -> str:
    """The answer item's id."""
    return "msg_" + shape.response_id.removeprefix("resp_")


@dataclass
class ResponseEvents:
    """Renders one run's events as Responses API stream events, numbered from 0."""

    shape: ResponseShape
    sequence: int = 0
    status: str = ""
    reasoning: list[str] | None = None
    """The reasoning item's summary text so far, while the item is open."""
    answer: list[str] | None = None
    """The answer's text so far, while the message item is open."""
    output: list[dict[str, Any]] = field(default_factory=list)
    answering: bool = False
    """Whether the answer has begun: later progress (the Synthesizer's end) is not shown."""
    attempt: int = 1
    """Which attempt of the run the events come from (2 and more: taken over)."""
    voided: int = 0
    """Items the stream opened and a later attempt voided: they keep their output index in the
    stream, and are left out of the response's `output`."""

    def render(self, event: RunEvent) -> list[dict[str, Any]]:
        """The stream events for one run event, each with its `sequence_number`."""
        events: list[dict[str, Any]] = []
        if event.event == EventType.RUN:
            self.status = "queued" if event.data.get("status") == "queued" else "in_progress"
            events.append(self.with_response("response.created"))
            events.append(self.with_response(f"response.{self.status}"))
        elif event.event == EventType.TOKEN:
            events += self.open_answer()
            assert self.answer is not None
            self.answer.append(event.data["text"])
            events.append(self.text_event("response.output_text.delta", delta=event.data["text"]))
        elif event.event == EventType.DONE:
            events += self.complete(event.data)
        elif event.event == EventType.ERROR:
            events += self.stop(event.data)
        elif event.event == EventType.RESUMED:
            events += self.void_answer()
            self.attempt = int(event.data.get("attempt", self.attempt + 1))
        elif (line := progress_line(event)) is not None and not self.answering:
            events += self.in_progress() + self.open_reasoning()
            assert self.reasoning is not None
            self.reasoning.append(line)
            events.append(self.reasoning_event("response.reasoning_summary_text.delta", delta=line))
        return [self.numbered(item) for item in events]

    def void_answer(self) -> list[dict[str, Any]]:
        """Close the answer so far as `incomplete`, out of the output: another attempt redoes it.

        Its text is not part of the response: the redone answer comes as a new message item
        (`msg_<id>_<attempt>`), so a client never joins the text of two attempts.
        """
        if self.answer is None:
            return []
        text, self.answer = "".join(self.answer), None
        item = message_item(self.message_id, text, "incomplete")
        events = [
            self.text_event("response.output_text.done", text=text, logprobs=[]),
            self.text_event("response.content_part.done", part=item["content"][0]),
            {"type": "response.output_item.done", "output_index": self.index, "item": item},
        ]
        self.voided += 1
        return events

    @property
    def index(self) -> int:
        """The output index of the item open now (voided items keep theirs)."""
        return len(self.output) + self.voided

    @property
    def message_id(self) -> str:
        """The answer item's id (one per attempt that streams it)."""
        first = message_id(self.shape)
        return first if self.attempt == 1 else f"{first}_{self.attempt}"

    def numbered(self, event: dict[str, Any]) -> dict[str, Any]:
        """Give the event the next sequence number."""
        event["sequence_number"] = self.sequence
        self.sequence += 1
        return event

    def with_response(self, kind: str, **extra: Any) -> dict[str, Any]:
        """A `response.*` lifecycle event carrying the response as it stands."""
        return {"type": kind, "response": response_object(self.shape, self.status, **extra)}

    def in_progress(self) -> list[dict[str, Any]]:
        """`response.in_progress` once a queued run starts."""
        if self.status != "queued":
            return []
        self.status = "in_progress"
        return [self.with_response("response.in_progress")]

    def open_reasoning(self) -> list[dict[str, Any]]:
        """Open the reasoning item and its summary part, unless open."""
        if self.reasoning is not None:
            return []
        self.reasoning = []
        item = {"id": self.reasoning_id, "type": "reasoning", "summary": []}
        part = {"type": "summary_text", "text": ""}
        return [
            {"type": "response.output_item.added", "output_index": self.index, "item": item},
            self.reasoning_event("response.reasoning_summary_part.added", part=part),
        ]

    def close_reasoning(self) -> list[dict[str, Any]]:
        """Close the reasoning item, if open; it joins the output."""
        if self.reasoning is None:
            return []
        text, self.reasoning = "".join(self.reasoning), None
        part = {"type": "summary_text", "text": text}
        item = {"id": self.reasoning_id, "type": "reasoning", "summary": [part]}
        events = [
            self.reasoning_event("response.reasoning_summary_text.done", text=text),
            self.reasoning_event("response.reasoning_summary_part.done", part=part),
            {"type": "response.output_item.done", "output_index": self.index, "item": item},
        ]
        self.output.append(item)
        return events

    def open_answer(self) -> list[dict[str, Any]]:
        """Close the reasoning, then open the message item and its text part, unless open."""
        if self.answer is not None:
            return []
        events = self.in_progress() + self.close_reasoning()
        self.answer, self.answering = [], True
        item = message_item(self.message_id, "", "in_progress")
        part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
        return [
            *events,
            {"type": "response.output_item.added", "output_index": self.index, "item": item},
            self.text_event("response.content_part.added", part=part),
        ]

    def complete(self, done: dict[str, Any]) -> list[dict[str, Any]]:
        """Close the answer with the stored text, then `response.completed` with usage."""
        events = self.open_answer()
        text = done["fullText"]
        item = message_item(self.message_id, text, "completed")
        events += [
            self.text_event("response.output_text.done", text=text, logprobs=[]),
            self.text_event("response.content_part.done", part=item["content"][0]),
            {"type": "response.output_item.done", "output_index": self.index, "item": item},
        ]
        self.output.append(item)
        self.answer = None
        self.status = "completed"
        usage = done.get("usage") or {}
        tokens = usage_object(int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0)))
        return [*events, self.with_response("response.completed", output=self.output, usage=tokens)]

    def stop(self, error: dict[str, Any]) -> list[dict[str, Any]]:
        """`response.incomplete` for a stopped run, `response.failed` for a failed one."""
        events = self.close_reasoning()
        self.status = STOPPED.get(error["code"], "failed")
        if self.status == "failed":
            failure = {"code": "server_error", "message": f"{error['code']}: {error['message']}"}
            return [
                *events,
                self.with_response("response.failed", output=self.output, error=failure),
            ]
        return [*events, self.with_response("response.incomplete", output=self.output)]

    @property
    def reasoning_id(self) -> str:
        """The reasoning item's id."""
        return "rs_" + self.shape.response_id.removeprefix("resp_")

    def reasoning_event(self, kind: str, **fields: Any) -> dict[str, Any]:
        """An event of the reasoning item's one summary part."""
        return {
            "type": kind,
            "item_id": self.reasoning_id,
            "output_index": self.index,
            "summary_index": 0,
            **fields,
        }

    def text_event(self, kind: str, **fields: Any) -> dict[str, Any]:
        """An event of the answer's one text part."""
        extra = {"logprobs": []} if kind == "response.output_text.delta" else {}
        return {
            "type": kind,
            "item_id": self.message_id,
            "output_index": self.index,
            "content_index": 0,
            **extra,
            **fields,
        }
