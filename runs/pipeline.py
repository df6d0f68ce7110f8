"""One chat run: pack the context, stream the graph's events, store the outcome."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from django.conf import settings

from agents.degraded import skipped
from agents.events import EventType
from agents.graph import compiled_graph
from agents.providers import get_provider
from agents.remembering import facts_told
from agents.state import RunContext
from agents.timing import add_timings
from agents.tools.base import ToolContext
from chat.models import Session
from llm.base import LLMProvider, ProviderError
from memory.context import PackedContext
from memory.summarizer import nothing_outside_window, update_summary
from runs.checkpointing import graph_config, graph_input, paused_at, stream_options
from runs.closing import close_later
from runs.leases import Fenced
from runs.records import RunResults, open_turn, store_answer, store_failure, store_waiting
from runs.requests import RunRequest
from runs.turns import Turn
from telemetry.observer import RunObserver
from telemetry.outages import DATABASE_UNREACHABLE, count_database_error

logger = logging.getLogger(__name__)

PipelineEvent = tuple[EventType, dict[str, Any]]
"""An event of the pipeline before the run numbers it: its type and its payload."""
INTERNAL_ERROR = "The run failed unexpectedly; the server log has the details."
DATABASE_UNAVAILABLE = "The database became unavailable; the run's answer could not be stored."
NOTHING_TO_RESUME = "The session has no paused run to resume: its graph has nothing left to do."


class ChatRun:
    """Run the pipeline for one request; `events()` yields (event, data) pairs to stream."""

    def __init__(
        self, session: Session, request: RunRequest, *, provider: LLMProvider, received_at: float
    ) -> None:
        """Prepare a run of `request` in `session`; `received_at` is a perf_counter reading."""
        self.request = request
        self.provider = provider
        tools = ToolContext(user_id=request.user_id, session_id=request.session_id)
        self.record = RunResults(
            session=session,
            tools=tools,
            outcomes=[],
            received_at=received_at,
            webhook=request.webhook,
        )
        self.record.models = provider.models()
        self.answered = False
        self.prompt = request.prompt
        """The prompt the run answers (a resumed run's is its paused run's)."""
        self.new_thread = False
        """Whether the session had nothing before the run (new, or never used): its graph has
        no checkpoint to read (one query fewer)."""
        self.approve_writes = approves_writes(request)
        """Whether the Worker asks before writes (a resumed run as its paused run did)."""
        self.taken_over = False
        """Whether this is a later attempt of the run, going on from its own checkpoint."""
        self.passes_before = 0
        """The agent passes of the state that came before this run (it continues a pause)."""
        self.packed: PackedContext | None = None
        self.answer = ""
        self.observer = RunObserver(
            session_id=request.session_id,
            user_id=request.user_id,
            provider=provider.name,
            received_at=received_at,
        )

        self.recorded = False
        self.stop_status = "cancelled"
        self.stop_reason = "the client disconnected"
        """What a cancel of this run is recorded as (the run executor sets them first)."""

    async def events(self) -> AsyncIterator[PipelineEvent]:
        """Yield the run's events, each seen by the run's observer (metrics, trace, logs)."""
        with self.observer.observing():
            try:
                async for event, data in self.run_events():
                    self.observer.on_event(event, data)
                    yield event, data
            except asyncio.CancelledError:
                self.observer.status = self.stop_status  # cancelled, interrupted or error
                raise

    async def run_events(self) -> AsyncIterator[PipelineEvent]:
        """Yield the run's events, ending with `done` or `error`.

        The consumer writes each event before asking for the next, so the first token's
        time taken here is when it was written. Any failure after the stream has started,
        the database's included, ends it with an `error` event.
        """
        final: dict[str, Any] = {}
        try:
            if self.request.resume is not None:
                if not await self.resumable():
                    yield EventType.ERROR, {"code": "not_paused", "message": NOTHING_TO_RESUME}
                    return
            else:
                if self.packed is None:  # a queued run opens its turn when it starts
                    self.opened(await open_turn(self.record.session, self.request.prompt))
                assert self.packed is not None
                yield EventType.CONTEXT, self.packed.report()
            history = self.packed.history if self.packed is not None else []
            async for event in self.graph_events(history, final):
                yield event
            if "answer" not in final:  # the graph stopped at an interrupt
                yield EventType.INTERRUPTED, await self.pause()
                return
            done = await self.conclude(final)
        except ProviderError as exc:
            await self.record_failure("error", str(exc))
            yield EventType.ERROR, {"code": "provider_error", "message": str(exc)}
            return
        except asyncio.CancelledError:
            await self.record_failure(self.stop_status, self.stop_reason)
            raise
        except Fenced:  # another process took the run over: it records and streams the rest
            self.recorded = True
            raise
        except DATABASE_UNREACHABLE as exc:
            count_database_error("run", exc)
            logger.exception("chat run failed in session %s", self.request.session_id)
            await self.record_failure("error", DATABASE_UNAVAILABLE)
            yield EventType.ERROR, {"code": "database_unavailable", "message": DATABASE_UNAVAILABLE}
            return
        except Exception:
            logger.exception("chat run failed in session %s", self.request.session_id)
            await self.record_failure("error", INTERNAL_ERROR)
            yield EventType.ERROR, {"code": "internal_error", "message": INTERNAL_ERROR}
            return
        yield EventType.DONE, done

    async def resumable(self) -> bool:
        """Take the paused run's prompt and stored message; False when nothing is paused."""
        paused = await paused_at(self.request.session_id, self.request.checkpoint_id)
        if paused is None:
            await self.record_failure("error", NOTHING_TO_RESUME)
            return False
        self.prompt = paused.prompt
        self.record.user_message_id = paused.prompt_message_id
        self.passes_before = paused.passes_before if self.taken_over else paused.passes
        if self.request.approve_writes is None:
            self.approve_writes = paused.approve_writes
        return True

    async def pause(self) -> dict[str, Any]:
        """Record the run as waiting at its interrupt; the `interrupted` event's payload."""
        paused = await paused_at(self.request.session_id)
        if paused is None:  # the graph ended without an answer: a bug, reported as one
            raise RuntimeError("the graph stopped with neither an answer nor work left")
        self.record.observed = self.observer.metric_fields()
        await store_waiting(self.record)
        self.recorded = True
        return paused.event()

    def opened(self, turn: Turn) -> None:
        """Take the run's opened turn: its packed context and its stored prompt's id."""
        self.packed = turn.packed
        self.record.user_message_id = turn.user_message_id

    async def record_failure(self, status: str, error: str) -> None:
        """Store the failed run's tool calls and metric, unless the database is what failed."""
        if self.recorded:
            return
        self.recorded = True
        try:
            self.record.observed = self.observer.metric_fields()
            await store_failure(self.record, status, error)
        except DATABASE_UNREACHABLE as exc:
            logger.error(
                "could not record the %s run %s: the database is unavailable (%s); "
                "recording it when it answers",
                status,
                self.record.run_id,
                exc,
            )
            close_later(self.record, status, error)
        except Exception:
            logger.exception("could not record the %s run of %s", status, self.request.session_id)

    async def graph_events(
        self, history: list[dict[str, str]], final: dict[str, Any]
    ) -> AsyncIterator[PipelineEvent]:
        """Stream the graph: custom events out, node updates collected into `final`."""
        context = RunContext(
            self.provider,
            self.record.tools,
            self.record.outcomes,
            record_tool_call=self.record.store_tool_call,
            approve_writes=self.approve_writes,
        )
        request = self.request
        config = graph_config(
            request,
            self.record.run_id,
            self.record.user_message_id,
            approve_writes=self.approve_writes,
            new_thread=self.new_thread,
            fence=None if self.record.lease is None else self.record.lease.check,
            passes_before=self.passes_before,
        )
        async for mode, chunk in compiled_graph().astream(
            graph_input(request, history),
            config,
            context=context,
            stream_mode=["custom", "updates"],
            **stream_options(request),
        ):
            if mode == "custom":
                yield chunk["event"], chunk["data"]
                if chunk["event"] == EventType.TOKEN and self.record.ttft_ms is None:
                    self.record.ttft_ms = self.record.elapsed_ms()
                continue
            for node, update in chunk.items():
                if node == "__interrupt__":
                    continue
                update = dict(update or {})
                timings = update.pop("timings", {})
                update.pop("passes", None)
                self.record.agent_timings = add_timings(self.record.agent_timings, timings)
                final.update(update)

    async def conclude(self, final: dict[str, Any]) -> dict[str, Any]:
        """Store the answer and build the `done` payload."""
        answer, suggestions = final["answer"], final["suggestions"]
        self.record.observed = self.observer.metric_fields()
        facts = await self.facts()
        message, total_ms = await store_answer(self.record, answer, suggestions, facts=facts)
        self.answered = self.recorded = True
        self.answer = answer
        return {
            "fullText": answer,
            "suggestions": suggestions,
            "timings": {"ttft_ms": self.record.ttft_ms, "total_ms": total_ms}
            | self.record.agent_timings
            | self.observer.meter.totals(),
            "usage": self.observer.usage(),
            "messageId": message.pk,
            "sessionId": self.request.session_id,
        }

    async def facts(self) -> list[tuple[str, str]]:
        """What the prompt says about its user, to remember (none with memory off)."""
        if not settings.MEMORY_ENABLED:
            return []
        return await facts_told(self.provider, self.prompt)

    async def finish(self) -> None:
        """After the response: fold turns that left the window into the summary."""
        if not self.answered or self.nothing_left_the_window():
            return
        try:
            await update_summary(self.record.session, self.provider)
        except ProviderError as exc:  # a later run folds the same turns in
            skipped("summariser", "summary", f"session {self.request.session_id}: {exc}")

    def nothing_left_the_window(self) -> bool:
        """Whether the session is young enough that no message can have left the window."""
        packed = self.packed
        if packed is None or not packed.whole_session:
            return False
        new_turns = [
            {"role": "user", "content": self.prompt},
            {"role": "assistant", "content": self.answer},
        ]
        return nothing_outside_window(self.record.session, [*packed.window, *new_turns])


def approves_writes(request: RunRequest) -> bool:
    """Whether the run's Worker asks before each write: the request's say, or the setting's."""
    if request.approve_writes is None:
        return settings.APPROVE_WRITES
    return request.approve_writes


def prepare_run(request: RunRequest, *, received_at: float) -> ChatRun:
    """Prepare a request's run; admitting it (runs.executor) opens the session."""
    session = Session(session_id=request.session_id, user_id=request.user_id)
    return ChatRun(session, request, provider=get_provider(), received_at=received_at)
