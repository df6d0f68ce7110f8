"""Running chats through the run engine in the test's own process, with a chosen provider."""

from __future__ import annotations

import time

from chat.models import Session
from llm.base import LLMProvider
from runs.buffer import MemoryEventBuffer
from runs.executor import RunExecutor, RunRuntime
from runs.pipeline import ChatRun
from runs.requests import RunRequest


def memory_runtime() -> RunRuntime:
    """A runtime of this test's own: an in-memory buffer and in-process signals."""
    return RunRuntime(MemoryEventBuffer(retain_seconds=60))


async def admit_chat(
    runtime: RunRuntime,
    session_id: str,
    provider: LLMProvider,
    *,
    prompt: str = "What is AI?",
    user_id: str = "alice",
) -> RunExecutor:
    """Admit one run of `prompt` in `session_id` answered by `provider`; return its executor."""
    request = RunRequest(session_id=session_id, user_id=user_id, prompt=prompt)
    session = Session(session_id=session_id, user_id=user_id)
    chat = ChatRun(session, request, provider=provider, received_at=time.perf_counter())
    return await runtime.admit(request, chat)


async def events_of(runtime: RunRuntime, run_id: str) -> list[tuple[str, dict]]:
    """Every event of the run as (type, payload), to its terminal one."""
    return [(e.event, e.data) async for e in runtime.buffer.read(run_id, 0, idle=0.05) if e]


async def run_chat(
    session_id: str, provider: LLMProvider, *, prompt: str = "What is AI?", user_id: str = "alice"
) -> tuple[ChatRun, list[tuple[str, dict]]]:
    """Run one chat to its end through a fresh runtime; return the run and its events."""
    runtime = memory_runtime()
    executor = await admit_chat(runtime, session_id, provider, prompt=prompt, user_id=user_id)
    events = await events_of(runtime, executor.run.pk)
    assert executor.task is not None
    await executor.task
    return executor.chat, events
