"""A run executed in process: its record, its buffered events, cancel (in-memory runtime)."""

from __future__ import annotations

import asyncio

import pytest

from chat.models import Session
from llm.builtin.provider import BuiltinModel
from runs.buffer import MemoryEventBuffer
from runs.executor import RunRuntime
from runs.models import Run
from telemetry.models import RequestMetric, ToolCall
from tests.support.engine import admit_chat

pytestmark = pytest.mark.django_db(transaction=True)


async def start(runtime: RunRuntime, session_id: str, delay_ms: float = 0):
    """Admit one run of alice's in `session_id`; return its executor."""
    return await admit_chat(runtime, session_id, BuiltinModel(token_delay_ms=delay_ms))


async def events_of(runtime: RunRuntime, run_id: str) -> list:
    """Every buffered event of the run, to its terminal one."""
    return [e async for e in runtime.buffer.read(run_id, 0, idle=0.05) if e is not None]


async def test_a_finished_run_records_its_outcome_ids_and_frees_its_session():
    runtime = RunRuntime(MemoryEventBuffer(retain_seconds=60))
    executor = await start(runtime, "x1")
    await executor.task
    events = await events_of(runtime, executor.run.pk)
    run = await Run.objects.aget(pk=executor.run.pk)
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    assert (run.status, run.last_event_id) == ("ok", events[-1].id)
    assert run.answer_message_id == events[-1].data["messageId"]
    assert run.user_message_id is not None
    assert (await Session.objects.aget(session_id="x1")).active_run_id is None
    assert (await RequestMetric.objects.aget(run_id=run.pk)).status == "ok"
    assert executor.run.pk not in runtime.executors


async def test_a_cancelled_run_ends_its_events_with_cancelled_and_frees_its_session():
    runtime = RunRuntime(MemoryEventBuffer(retain_seconds=60))
    executor = await start(runtime, "x2", delay_ms=20)
    async for event in runtime.buffer.read(executor.run.pk, 0, idle=0.05):
        if event is not None and event.event == "token":
            break  # the run is answering: cancel it mid-answer
    await runtime.cancel(executor.run.pk, "cancelled")
    await asyncio.wait_for(executor.task, 2)
    events = await events_of(runtime, executor.run.pk)
    assert (events[-1].event, events[-1].data["code"]) == ("error", "cancelled")
    run = await Run.objects.aget(pk=executor.run.pk)
    assert (run.status, run.last_event_id, run.answer_message_id) == (
        "cancelled",
        events[-1].id,
        None,
    )
    assert (await Session.objects.aget(session_id="x2")).active_run_id is None


async def test_a_queued_run_starts_when_the_active_one_ends():
    runtime = RunRuntime(MemoryEventBuffer(retain_seconds=60))
    first = await start(runtime, "x3", delay_ms=5)
    second = await start(runtime, "x3")
    assert (first.run.status, second.run.status) == ("running", "queued")
    await asyncio.wait_for(asyncio.gather(first.task, second.task), 10)
    runs = [r async for r in Run.objects.filter(session_id="x3").order_by("created_at")]
    assert [r.status for r in runs] == ["ok", "ok"]
    assert runs[1].started_at >= runs[0].finished_at


async def test_each_tool_call_is_stored_before_its_completion_is_announced():
    runtime = RunRuntime(MemoryEventBuffer(retain_seconds=60))
    executor = await start(runtime, "x-tools", delay_ms=5)
    completed, stored_then = 0, []
    async for event in runtime.buffer.read(executor.run.pk, 0, idle=0.05):
        if event is not None and event.event == "tool_call_completed":
            completed += 1
            stored_then.append(await ToolCall.objects.filter(run_id=executor.run.pk).acount())
        if event is not None and event.terminal:
            break
    await executor.task
    assert completed >= 1
    assert stored_then == list(range(1, completed + 1))
    run = await Run.objects.aget(pk=executor.run.pk)
    assert await ToolCall.objects.filter(run_id=run.pk).acount() == completed, "none twice"


async def test_a_run_past_run_max_seconds_ends_with_run_timeout_and_is_recorded(settings):
    settings.RUN_MAX_SECONDS = 0.3
    runtime = RunRuntime(MemoryEventBuffer(retain_seconds=60))
    executor = await start(runtime, "x-timeout", delay_ms=100)  # a ~5 s answer
    await asyncio.wait_for(executor.task, 10)
    events = await events_of(runtime, executor.run.pk)
    assert (events[-1].event, events[-1].data["code"]) == ("error", "run_timeout")
    run = await Run.objects.aget(pk=executor.run.pk)
    assert (run.status, run.answer_message_id) == ("error", None)
    assert "RUN_MAX_SECONDS" in run.error
    assert (await RequestMetric.objects.aget(run_id=run.pk)).status == "error"
    assert (await Session.objects.aget(session_id="x-timeout")).active_run_id is None


async def test_a_run_past_its_reserved_event_ids_reserves_the_next_block(monkeypatch):
    monkeypatch.setattr("runs.executor.EVENT_ID_BLOCK", 4)
    runtime = RunRuntime(MemoryEventBuffer(retain_seconds=60))
    executor = await start(runtime, "x-ids")
    executor.reserved = 2  # as if the admission had reserved two ids
    await executor.task
    events = await events_of(runtime, executor.run.pk)
    run = await Run.objects.aget(pk=executor.run.pk)
    assert [e.id for e in events] == list(range(1, len(events) + 1)), "ids go on, no gap"
    assert run.status == "ok" and run.event_ids_to >= events[-1].id
    assert run.event_ids_to - events[-1].id < 4, "reserved a block at a time"


async def test_a_run_taken_over_meanwhile_stops_without_a_word_or_a_record():
    runtime = RunRuntime(MemoryEventBuffer(retain_seconds=60))
    executor = await start(runtime, "x-lost", delay_ms=20)
    async for event in runtime.buffer.read(executor.run.pk, 0, idle=0.05):
        if event is not None and event.event == "token":
            break
    await Run.objects.filter(pk=executor.run.pk).aupdate(attempt=2, owner="elsewhere:1:x")
    runtime.lose(executor.run.pk)  # what the heartbeat does when it finds the run gone
    await asyncio.wait_for(executor.task, 2)
    events = await events_of_so_far(runtime, executor.run.pk)
    assert all(e.event not in {"done", "error"} for e in events), "no terminal event of its own"
    run = await Run.objects.aget(pk=executor.run.pk)
    assert (run.status, run.attempt) == ("running", 2), "its outcome is the new attempt's"
    assert not await RequestMetric.objects.filter(run_id=run.pk).aexists()
    assert executor.lease.lost and executor.run.pk not in runtime.executors


async def events_of_so_far(runtime: RunRuntime, run_id: str) -> list:
    """The buffered events of a run that has no terminal event (read until idle)."""
    found = []
    async for event in runtime.buffer.read(run_id, 0, idle=0.05):
        if event is None:
            return found
        found.append(event)
    return found
