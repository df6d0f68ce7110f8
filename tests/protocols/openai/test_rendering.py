"""A run's events rendered as chat completion chunks and Responses API events.

Every object is validated against the `openai` SDK's own types (pydantic, all required fields),
so a field the SDK needs cannot go missing unnoticed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.responses import Response, ResponseStreamEvent
from pydantic import TypeAdapter

from protocols.openai.completions import ChunkStream, Completion
from protocols.openai.responses import ResponseEvents, ResponseShape, stored_response
from runs.events import RunEvent

STREAM_EVENT = TypeAdapter(ResponseStreamEvent)
USAGE = {"input_tokens": 30, "output_tokens": 12}
DONE = {"fullText": "Hello there.", "suggestions": ["a?", "b?", "c?"], "usage": USAGE}


def run_events(
    *, queued: bool = False, end: tuple[str, dict[str, Any]] = ("done", DONE)
) -> list[RunEvent]:
    """A run's events as the engine numbers them: agents, a tool call, tokens, the end."""
    kinds = [
        ("run", {"runId": "0" * 24, "sessionId": "s", "status": "queued" if queued else "running"}),
        ("agent", {"name": "planner", "status": "started"}),
        ("agent", {"name": "planner", "status": "completed", "durationMs": 1.2}),
        ("agent", {"name": "worker", "status": "started"}),
        ("tool_call_started", {"tool": "db.find", "args": {"collection": "messages"}}),
        ("tool_call_completed", {"tool": "db.find", "ok": True, "latencyMs": 2.0}),
        ("agent", {"name": "synthesizer", "status": "started"}),
        ("token", {"text": "Hello "}),
        ("token", {"text": "there."}),
        ("agent", {"name": "synthesizer", "status": "completed", "durationMs": 3.0}),
        end,
    ]
    return [RunEvent(n, kind, data) for n, (kind, data) in enumerate(kinds, start=1)]


def data_lines(stream: bytes) -> list[str]:
    """The `data:` payloads of an SSE stream, in order."""
    return [
        line.removeprefix("data: ")
        for block in stream.decode().split("\n\n")
        for line in block.splitlines()
        if line.startswith("data: ")
    ]


def test_chunks_role_first_progress_as_reasoning_tokens_as_content_then_stop_usage_and_done():
    stream = ChunkStream("chatcmpl-1", 1700000000, include_usage=True)
    payloads = data_lines(stream.render(run_events()))
    assert payloads[-1] == "[DONE]"
    chunks = [ChatCompletionChunk.model_validate(json.loads(p)) for p in payloads[:-1]]
    assert chunks[0].choices[0].delta.role == "assistant"
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    reasoning = "".join(
        (c.choices[0].delta.model_extra or {}).get("reasoning_content", "")
        for c in chunks
        if c.choices
    )
    assert content == "Hello there."
    assert "Planner is working." in reasoning and "Calling db.find" in reasoning
    assert all(not c.choices[0].delta.tool_calls for c in chunks if c.choices)
    last_choice, usage = chunks[-2], chunks[-1]
    assert last_choice.choices[0].finish_reason == "stop"
    assert last_choice.model_extra["suggestions"] == ["a?", "b?", "c?"]
    assert usage.choices == [] and usage.usage.total_tokens == 42


def test_no_usage_chunk_unless_asked():
    stream = ChunkStream("chatcmpl-1", 1700000000, include_usage=False)
    payloads = data_lines(stream.render(run_events()))
    assert all("usage" not in json.loads(p) for p in payloads[:-1])


def test_a_run_that_fails_sends_openais_error_object_in_the_stream():
    failed = ("error", {"code": "provider_error", "message": "upstream said no"})
    stream = ChunkStream("chatcmpl-1", 1700000000, include_usage=True)
    payloads = data_lines(stream.render(run_events(end=failed)))
    assert payloads[-1] == "[DONE]"
    assert json.loads(payloads[-2]) == {
        "error": {
            "message": "upstream said no",
            "type": "server_error",
            "param": None,
            "code": "provider_error",
        }
    }


def test_a_completion_collects_answer_reasoning_usage_and_suggestions():
    completion = Completion("chatcmpl-1", 1700000000)
    for event in run_events():
        completion.add(event)
    body = ChatCompletion.model_validate(completion.body())
    assert body.choices[0].message.content == "Hello there."
    assert "Worker is working." in body.choices[0].message.model_extra["reasoning_content"]
    assert body.usage.prompt_tokens == 30 and body.usage.completion_tokens == 12
    assert body.model_extra["suggestions"] == ["a?", "b?", "c?"]


SHAPE = ResponseShape("resp_" + "0" * 24, 1700000000, "orchestrator", "", {}, "", False)


def rendered(events: list[RunEvent]) -> list[dict[str, Any]]:
    """Every Responses event of a run, rendered from its start."""
    renderer = ResponseEvents(SHAPE)
    return [item for event in events for item in renderer.render(event)]


def test_response_events_are_numbered_from_zero_valid_and_in_openais_order():
    events = rendered(run_events())
    for event in events:
        STREAM_EVENT.validate_python(event)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    types = [e["type"] for e in events]
    assert types[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.reasoning_summary_part.added",
    ]
    assert types[-5:] == [
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert types[-1] == "response.completed"
    assert types.index("response.output_item.done") < types.index("response.output_text.delta")
    completed = Response.model_validate(events[-1]["response"])
    assert completed.status == "completed" and completed.output_text == "Hello there."
    assert [item.type for item in completed.output] == ["reasoning", "message"]
    assert completed.usage.total_tokens == 42


def test_the_same_run_renders_the_same_events_every_time():
    assert rendered(run_events()) == rendered(run_events())


def test_a_queued_run_is_created_queued_then_in_progress_when_it_starts():
    types = [e["type"] for e in rendered(run_events(queued=True))]
    assert types[:3] == ["response.created", "response.queued", "response.in_progress"]


@pytest.mark.parametrize(
    ("code", "kind", "status"),
    [
        ("cancelled", "response.incomplete", "cancelled"),
        ("interrupted", "response.incomplete", "incomplete"),
        ("provider_error", "response.failed", "failed"),
        ("run_timeout", "response.failed", "failed"),
    ],
)
def test_a_run_that_ends_without_an_answer(code, kind, status):
    events = rendered(run_events(end=("error", {"code": code, "message": "why"})))
    last = events[-1]
    STREAM_EVENT.validate_python(last)
    assert (last["type"], last["response"]["status"]) == (kind, status)
    if status == "failed":
        assert last["response"]["error"] == {"code": "server_error", "message": f"{code}: why"}


@pytest.mark.parametrize(
    ("run_status", "status"),
    [
        ("queued", "queued"),
        ("running", "in_progress"),
        ("ok", "completed"),
        ("error", "failed"),
        ("cancelled", "cancelled"),
        ("interrupted", "incomplete"),
    ],
)
def test_a_stored_response_follows_its_runs_status(run_status, status):
    answer = "Hi." if run_status == "ok" else ""
    body = Response.model_validate(stored_response(SHAPE, run_status, answer, (3, 4), "boom"))
    assert body.status == status
    assert body.output_text == answer
    assert (body.usage is None) == (run_status in {"queued", "running"})


def taken_over_events() -> list[RunEvent]:
    """A run whose answer was cut after one token, then redone by a second attempt."""
    first = run_events()[:8]  # … synthesizer started, "Hello "
    resumed = {"attempt": 2, "reason": "lease_expired", "supersedes": 6, "checkpoint": None}
    redo = [
        ("resumed", resumed),
        ("agent", {"name": "synthesizer", "status": "started"}),
        ("token", {"text": "Hello "}),
        ("token", {"text": "again."}),
        ("agent", {"name": "synthesizer", "status": "completed", "durationMs": 3.0}),
        ("done", {**DONE, "fullText": "Hello again."}),
    ]
    return [*first, *(RunEvent(1001 + n, kind, data) for n, (kind, data) in enumerate(redo))]


def test_a_taken_over_answer_is_voided_and_redone_as_a_new_item_the_sdk_reads_once():
    from openai.lib.streaming.responses._responses import ResponseStreamState
    from openai.types.responses.response_stream_event import ResponseStreamEvent as Event

    events = rendered(taken_over_events())
    state = ResponseStreamState(input_tools=[], text_format=openai_omit())
    for event in events:
        state.handle_event(TypeAdapter(Event).validate_python(event))
    voided = [e for e in events if e["type"] == "response.output_item.done"][1]
    assert voided["item"]["status"] == "incomplete"
    assert voided["item"]["content"][0]["text"] == "Hello "
    completed = state._completed_response
    assert completed is not None and completed.output_text == "Hello again."
    messages = [item for item in completed.output if item.type == "message"]
    assert [m.id for m in messages] == ["msg_" + "0" * 24 + "_2"]
    indices = [e["output_index"] for e in events if e["type"] == "response.output_item.added"]
    assert indices == [0, 1, 2], "the voided item keeps its index in the stream"


def openai_omit():
    from openai import omit

    return omit
