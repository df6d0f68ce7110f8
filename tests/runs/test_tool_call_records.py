"""What a run stores of its tool calls: a ToolCall row per outcome, results summarised."""

from __future__ import annotations

from asgiref.sync import async_to_sync

from agents.tools.base import ToolContext, ToolOutcome
from agents.tools.runner import run_tool
from runs.models import Run
from runs.records import tool_call_record
from telemetry.models import ToolCall
from tests.conftest import ALICE

run = async_to_sync(run_tool)
AS_ALICE = ToolContext(user_id=ALICE, session_id="alice-s1")


def a_run_of(session) -> str:
    """Store a run of alice's in `session`; return its id (every tool call belongs to one)."""
    return Run.objects.create(session=session, user_id=ALICE).pk


def test_a_tool_call_record_summarises_a_find(alice_session):
    documents = [{"id": str(n), "content": "x" * 500} for n in range(8)]
    outcome = ToolOutcome(
        "db.find", {"collection": "messages"}, ok=True, result={"documents": documents, "count": 8}
    )
    record = tool_call_record(outcome, AS_ALICE, run_id=a_run_of(alice_session))
    assert record.pk and record._state.adding
    assert (record.session_id, record.user_id, record.tool) == ("alice-s1", ALICE, "db.find")
    assert record.result["count"] == 8
    assert len(record.result["documents"]) == 5
    assert len(record.result["documents"][0]["content"]) <= 201
    ToolCall.objects.bulk_create([record])
    assert ToolCall.objects.get().result == record.result


def test_a_tool_call_record_keeps_a_refusal_as_is(alice_session):
    outcome = run("db.find", {"collection": "auth_user"}, AS_ALICE)
    record = tool_call_record(outcome, AS_ALICE, run_id=a_run_of(alice_session))
    assert not record.ok
    assert record.result == {"error": outcome.error}
    assert record.args == {"collection": "auth_user"}
    assert record.latency_ms == outcome.latency_ms
