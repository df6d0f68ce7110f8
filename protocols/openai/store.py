"""What this protocol stores and reads: sessions seeded from a client's history, responses.

A request without a session binding runs in a new session `openai-<id>`: its instructions
become the session's summary and its earlier turns the session's first messages (marked
`{"source": "openai"}`), so that memory packs them as it packs any session. A response is
its run plus a `StoredResponse` row (models.py); `resp_<run id>` is its id. Every other run
of the caller is a response too, whatever protocol started it: its row is then read from the
run (the model `orchestrator`, its prompt as the one input item) and never stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from asgiref.sync import sync_to_async

from accounts.callers import Caller
from chat.models import Message, new_object_id
from protocols.openai.models import StoredResponse
from runs.engine import get_run_for, is_run_id
from runs.models import Run
from telemetry.models import RequestMetric

SESSION_PREFIX = "openai-"
RESPONSE_PREFIX = "resp_"
SOURCE = "openai"


def new_session_id() -> str:
    """A new session id, marked as this surface's."""
    return f"{SESSION_PREFIX}{new_object_id()}"


def response_id(run_id: str) -> str:
    """The Responses API id of a run."""
    return f"{RESPONSE_PREFIX}{run_id}"


def run_id_of(response_id: str) -> str | None:
    """The run id inside a response id; None when it is not one of ours."""
    run_id = response_id.removeprefix(RESPONSE_PREFIX)
    return run_id if run_id != response_id and is_run_id(run_id) else None


@sync_to_async
def store_response(run_id: str, **fields: object) -> StoredResponse:
    """Store what the request said of the response `resp_<run_id>`."""
    return StoredResponse.objects.create(run_id=run_id, **fields)


@dataclass(frozen=True)
class ResponseRecord:
    """A response as stored: its row, its run, its answer's text and its token usage."""

    stored: StoredResponse
    run: Run
    answer: str
    input_tokens: int
    output_tokens: int


async def find_response(caller: Caller, response_id: str) -> ResponseRecord | None:
    """The caller's response: any run of theirs (recovered first if its owner died), or None."""
    run_id = run_id_of(response_id)
    if run_id is None:
        return None
    run = await get_run_for(caller, run_id)
    if run is None:
        return None
    return await record_of(run)


@sync_to_async
def record_of(run: Run) -> ResponseRecord:
    """The run's response: as stored, or as read from a run another protocol started."""
    stored = StoredResponse.objects.filter(pk=run.pk).first() or response_of_run(run)
    answer = Message.objects.filter(pk=run.answer_message_id).values_list("content", flat=True)
    metric = RequestMetric.objects.filter(run_id=run.pk).only("input_tokens", "output_tokens")
    usage = metric.first()
    return ResponseRecord(
        stored=stored,
        run=run,
        answer=(answer.first() or "") if run.answer_message_id else "",
        input_tokens=usage.input_tokens if usage else 0,
        output_tokens=usage.output_tokens if usage else 0,
    )


def response_of_run(run: Run) -> StoredResponse:
    """The response of a run that no Responses request started (not saved)."""
    prompt = Message.objects.filter(pk=run.user_message_id).values_list("content", flat=True)
    text = (prompt.first() or "") if run.user_message_id else ""
    item = {
        "id": f"msg_{run.user_message_id or run.pk}",
        "type": "message",
        "role": "user",
        "status": "completed",
        "content": [{"type": "input_text", "text": text}],
    }
    background = run.on_disconnect == "continue"
    return StoredResponse(run=run, input_items=[item] if text else [], background=background)


@sync_to_async
def delete_response(run_id: str) -> None:
    """Delete the response and its run (the session keeps the conversation's messages)."""
    Run.objects.filter(pk=run_id).delete()
