"""Writing a run's results: one transaction on success, what is true on failure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from django.db import DatabaseError, transaction
from django.utils import timezone

from agents.degraded import skipped
from agents.timing import ms_since
from agents.tools.base import ToolContext, ToolOutcome
from agents.tools.runner import shorten
from chat.models import Message, Session, Suggestion
from llm.embeddings import EmbeddingError
from memory.learning import learn, lessons_from
from runs.leases import Lease
from runs.models import Run
from runs.store import close_run
from runs.turns import Turn, open_turn_now
from telemetry.models import RequestMetric, ToolCall
from telemetry.rollups import add_run
from webhooks.outbox import Webhook

TOOL_NAME_CHARS = ToolCall._meta.get_field("tool").max_length or 32
SUMMARY_DOCUMENTS = 5


@dataclass
class RunResults:
    """What a run produced, ready to be stored."""

    session: Session
    tools: ToolContext
    outcomes: list[ToolOutcome]
    received_at: float
    """`time.perf_counter()` when the request arrived."""
    ttft_ms: float | None = None
    agent_timings: dict[str, float] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    """The provider and model that answered each role."""

    observed: dict[str, Any] = field(default_factory=dict)
    """The metric's fields from the run's observer: user, tokens, cost, timeline."""

    run_id: str = ""
    """The stored run this request executes (set when the engine admits it, runs/executor.py)."""
    stored_outcomes: list[ToolOutcome] = field(default_factory=list)
    """The `outcomes` stored already (a run's are stored as each completes)."""
    user_message_id: str | None = None
    events_sent: int = 0
    """How many events the run has streamed; its outcome is recorded just before the next."""
    webhook: str = ""
    """Where a POST goes when the run ends ("" for nowhere)."""
    lease: Lease | None = None
    """The attempt that executes the run: each write checks that it still holds it."""

    def close_run(
        self, status: str, session_fields: dict[str, object] | None = None, **fields: object
    ) -> None:
        """Record the run's outcome, its message ids and last event id (inside a transaction).

        `session_fields` are written to the session too (in the same statement that frees it).

        Raises:
            Fenced: another attempt executes the run now (the transaction is rolled back).
        """
        fields.update(user_message_id=self.user_message_id, last_event_id=self.events_sent + 1)
        closed = close_run(
            self.run_id,
            self.session.session_id,
            status,
            session_fields=session_fields,
            webhook=Webhook(self.webhook, self.tools.user_id),
            attempt=None if self.lease is None else self.lease.attempt,
            **fields,
        )
        if not closed and self.lease is not None:
            self.lease.fence()

    def store_tool_call(self, outcome: ToolOutcome) -> None:
        """Store one completed tool call of a stored run now (synchronous, autocommit).

        The Worker calls it in the tool's own thread hop and transaction, so a call is stored
        before it is announced and a crash loses none; an attempt that lost its lease stores
        neither the call nor what the tool wrote (`Fenced` rolls both back).
        """
        if self.lease is not None:
            self.lease.check()
        tool_call_record(outcome, self.tools, run_id=self.run_id).save(force_insert=True)
        self.stored_outcomes.append(outcome)

    def elapsed_ms(self) -> float:
        """Milliseconds since the request arrived."""
        return ms_since(self.received_at)


@sync_to_async
def open_turn(session: Session, prompt: str) -> Turn:
    """Pack the context, then store the user's prompt before the run starts (one trip)."""
    return open_turn_now(session, prompt)


def tool_call_record(outcome: ToolOutcome, ctx: ToolContext, *, run_id: str) -> ToolCall:
    """Build an unsaved `ToolCall` for `outcome` (of run `run_id`), its result summarised."""
    return ToolCall(
        run_id=run_id,
        session_id=ctx.session_id,
        user_id=ctx.user_id,
        tool=str(outcome.tool)[:TOOL_NAME_CHARS],
        args=shorten(outcome.args),
        result=summarise_result(outcome),
        ok=outcome.ok,
        latency_ms=outcome.latency_ms,
    )


def summarise_result(outcome: ToolOutcome) -> dict[str, Any]:
    """Summarise a result for storage: a find keeps its count and first 5 documents."""
    result = outcome.result
    if outcome.ok and outcome.tool == "db.find":
        documents = result.get("documents", [])
        result = {"count": result.get("count"), "documents": documents[:SUMMARY_DOCUMENTS]}
    return shorten(result)


def store_tool_calls(record: RunResults) -> None:
    """Store the tool calls the run made that are not stored yet."""
    new = [o for o in record.outcomes if not any(o is s for s in record.stored_outcomes)]
    rows = [tool_call_record(outcome, record.tools, run_id=record.run_id) for outcome in new]
    if rows:
        ToolCall.objects.bulk_create(rows)
    record.stored_outcomes.extend(new)


@sync_to_async
def store_answer(
    record: RunResults, answer: str, suggestions: list[str], *, facts: list[tuple[str, str]]
) -> tuple[Message, float]:
    """Store answer, suggestions, tool calls and metric in one go, then remember `facts`.

    Returns the answer's message and the run's total time.
    """
    with transaction.atomic():
        store_tool_calls(record)
        touched = {"updated_at": timezone.now()}
        total_ms = record.elapsed_ms()
        timings = {"ttft_ms": record.ttft_ms, **record.agent_timings, "total_ms": total_ms}
        message = Message.objects.create(
            session=record.session,
            user_id=record.tools.user_id,
            role="assistant",
            content=answer,
            metadata={"suggestions": suggestions, "timings": timings},
        )
        Suggestion.objects.create(session=record.session, message=message, suggestions=suggestions)
        metric = RequestMetric.objects.create(
            session=record.session,
            message=message,
            ttft_ms=record.ttft_ms,
            total_time_ms=total_ms,
            tool_call_count=len(record.outcomes),
            agent_timings=record.agent_timings,
            agent_models=record.models,
            **record.observed,
            run_id=record.run_id,
        )
        record.close_run(Run.Status.OK, touched, answer_message=message)
        add_run(metric)  # last: the rollup rows every process shares stay locked shortest
    remember(record, facts)
    return message, total_ms


def remember(record: RunResults, facts: list[tuple[str, str]]) -> None:
    """Remember what the prompt said about its user; a failure costs the memory, not the answer."""
    if not facts:
        return
    user_id, session_id = record.tools.user_id, record.tools.session_id
    try:
        learn(user_id, lessons_from(facts), session_id=session_id, run_id=record.run_id or "")
    except (EmbeddingError, DatabaseError) as exc:
        skipped("memory", "memory", f"session {session_id}: {exc}")


@sync_to_async
def store_waiting(record: RunResults) -> None:
    """Record a run paused for a person: its tool calls, and its status `waiting`.

    Its metric is the resumed run's: the answer, when it comes, is counted once.
    """
    with transaction.atomic():
        store_tool_calls(record)
        record.close_run(Run.Status.WAITING)


@sync_to_async
def store_failure(record: RunResults, status: str, error: str) -> None:
    """Record a failed or cancelled run: its tool calls and metric, never a partial answer."""
    with transaction.atomic():
        store_tool_calls(record)
        metric = RequestMetric.objects.create(
            session=record.session,
            ttft_ms=record.ttft_ms,
            total_time_ms=record.elapsed_ms(),
            tool_call_count=len(record.outcomes),
            agent_timings=record.agent_timings,
            agent_models=record.models,
            status=status,
            error=error[:2000],
            **record.observed,
            run_id=record.run_id,
        )
        record.close_run(status, error=error)
        add_run(metric)  # last: the rollup rows every process shares stay locked shortest
