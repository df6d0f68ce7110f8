"""The LangGraph routes that start or stream runs.

`StartRunConsumer` serves `POST /threads/{id}/runs[/stream|/wait]` and `POST /runs[/stream|
/wait]` (a thread-less run gets a new thread): an `AdmittingConsumer` (edge/admission.py),
so the edge checks, one stream slot, shielded admission and the disconnect policy are the
same as every protocol's. `JoinStreamConsumer` serves `GET /threads/{id}/runs/{rid}/stream`.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any, Literal

from accounts.callers import Caller
from edge.admission import AdmittingConsumer
from edge.conversation import ClientTurn, checked_webhook
from edge.errors import RequestRejected, failure_of
from edge.resumes import checked_resume
from edge.streams import RunEventsConsumer
from protocols.langgraph.assistant import ASSISTANT_ID, GRAPH_ID, is_assistant
from protocols.langgraph.bodies import RunBody, parse_body, prompt_of, stream_modes
from protocols.langgraph.models import RunRecord
from protocols.langgraph.runs import (
    DEFAULT_MODES,
    admitted_context,
    final_state,
    owned_run,
    roll_back_later,
    run_context,
    run_object,
    store_record,
)
from protocols.langgraph.stream import PartContext, PartStream, parse_event_id, run_path
from protocols.langgraph.threads import (
    check_start_checkpoint,
    find_thread,
    thread_user,
)
from runs import engine
from runs.engine import RunExecutor, RunRequest, session_holder
from runs.models import Run

logger = logging.getLogger(__name__)

Answer = Literal["stream", "background", "wait"]


class StartRunConsumer(AdmittingConsumer):
    """`POST …/runs`, `…/runs/stream`, `…/runs/wait`, on a thread or a new one."""

    answer_mode: Answer = "stream"
    new_thread: dict[str, Any] | None = None
    """The metadata of the thread this run creates (None: the thread exists)."""

    async def client_turn(self, body: bytes) -> ClientTurn:
        """The run of the input's last human message, in the thread (created if asked).

        The thread's history is the thread's: nothing is seeded from the input.
        """
        assert self.edge is not None and self.edge.caller is not None
        caller = self.edge.caller
        self.request = request = parse_body(RunBody, body)
        if not is_assistant(request.assistant_id):
            raise RequestRejected(404, f"Assistant {request.assistant_id} not found")
        resume = request.resume()
        self.prompt = prompt_of(request) if resume is None else ""
        self.modes = request.modes()
        pauses = request.pauses("interrupt_before"), request.pauses("interrupt_after")
        webhook = await checked_webhook(request.webhook, "webhook")
        session_id, user_id = await self.thread(caller, request)
        if resume is not None:
            if self.new_thread is not None:
                raise RequestRejected(409, f"Thread {session_id} has no run to resume")
            start = request.start_checkpoint()
            await checked_resume(session_id, resume, checkpoint_id=start, field="command.resume")
        strategy = request.multitask_strategy or "enqueue"
        self.rolled_back = await self.active_runs(session_id) if strategy == "rollback" else []
        run = RunRequest(
            session_id=session_id,
            user_id=user_id,
            prompt=self.prompt,
            on_disconnect=request.on_disconnect or "continue",  # LangGraph's default
            multitask_strategy="interrupt" if strategy == "rollback" else strategy,
            webhook=webhook,
            interrupt_before=pauses[0],
            interrupt_after=pauses[1],
            resume=resume,
            checkpoint_id=request.start_checkpoint(),
            durability=request.durability or "",
            approve_writes=request.approve_writes(),
            metadata=(("graph_id", GRAPH_ID), ("assistant_id", ASSISTANT_ID)),
        )
        return ClientTurn(run)

    async def thread(self, caller: Caller, request: RunBody) -> tuple[str, str]:
        """The run's thread and user: the route's thread, or a new one that admission creates.

        A thread-less run, or `if_not_exists: create` on a thread that does not exist, gets a
        new thread: its session is created with the run (one trip), its metadata after.
        """
        thread_id = self.scope["url_route"]["kwargs"].get("thread_id")
        start = request.start_checkpoint()
        if thread_id is not None:
            session = await find_thread(caller, thread_id)
            if session is not None:
                await check_start_checkpoint(session, start)
                return session.session_id, session.user_id
            if request.if_not_exists != "create":
                raise RequestRejected(404, f"Thread with ID {thread_id} not found")
        await check_start_checkpoint(None, start)
        self.new_thread = thread_metadata(request)
        return thread_id or str(uuid.uuid4()), thread_user(caller, request.metadata)

    async def active_runs(self, session_id: str) -> list[str]:
        """The run holding the session now (what `rollback` removes once it ended)."""
        holder = await session_holder(session_id)
        return [holder.pk] if holder is not None else []

    async def answer(self, executor: RunExecutor) -> None:
        """Store what the run's record must say, then stream it, wait for it, or answer."""
        run = executor.run
        record = await asyncio.shield(self.store(run)) if self.needs_record(run) else None
        roll_back_later(self.rolled_back)
        if self.answer_mode == "stream":
            fresh = self.new_thread is not None or executor.chat.new_thread
            parts = PartStream(self.modes, await self.context(run, record, fresh_thread=fresh))
            await self.stream_run(run.pk, 0, parts, first_ready=True)
        elif self.answer_mode == "background":
            await self.answer_json(run_object(run, record), run)
        else:
            await self.answer_json(await wait_for_state(run.pk), run, suffix="/join")

    def needs_record(self, run: Run) -> bool:
        """Whether the run differs from what a run without a record is taken to be.

        A run that started at once (its prompt is stored as its message), with no metadata,
        the default strategy and the default stream modes keeps no row of its own: one write
        fewer on the common path (`useStream`'s runs).
        """
        return bool(
            self.new_thread
            or self.request.metadata
            or self.request.multitask_strategy not in {None, "enqueue"}
            or self.modes != DEFAULT_MODES
            or run.status != Run.Status.RUNNING
        )

    async def store(self, run: Run) -> RunRecord:
        """The run's record (and a new thread's metadata)."""
        return await store_record(
            run,
            self.new_thread,
            assistant_id=self.request.assistant_id,
            metadata=self.request.metadata or {},
            stream_modes=self.modes,
            multitask_strategy=self.request.multitask_strategy or "enqueue",
            prompt=self.prompt,
        )

    async def context(
        self, run: Run, record: RunRecord | None, *, fresh_thread: bool
    ) -> PartContext:
        """The thread's state for `values` (empty, with no query, for a fresh thread's run)."""
        if "values" not in self.modes:
            return await run_context(run, record, with_state=False)
        return await admitted_context(run, self.prompt, fresh_thread=fresh_thread)

    async def answer_json(self, body: Any, run: Run, suffix: str = "") -> None:
        """A JSON answer with where the run is (and, for `/wait`, where to rejoin it)."""
        path = run_path(run.session_id, run.pk)
        headers = [(b"content-location", path.encode())]
        if suffix:
            headers.append((b"location", f"{path}{suffix}".encode()))
        await self.send_json(200, body, headers)


def thread_metadata(request: RunBody) -> dict[str, Any]:
    """The metadata of a thread a run creates (the run's, without the user it names)."""
    return {key: value for key, value in (request.metadata or {}).items() if key != "user_id"}


async def wait_for_state(run_id: str) -> dict[str, Any]:
    """Wait for the run to end; its thread's final state, or `__error__` if it failed."""
    await engine.until_ended(run_id)
    run = await engine.find_run(run_id)
    if run is None:
        return {"__error__": {"error": "not_found", "message": "The run was deleted."}}
    if run.status == Run.Status.WAITING:  # the thread's values, and what the pause waits for
        paused = await engine.paused_at(run.session_id)
        interrupts = paused.interrupts if paused is not None else []
        waiting = [{**i, "response_schema": None} for i in interrupts]
        return {**await final_state(run), "__interrupt__": waiting}
    if run.status != Run.Status.OK:
        message = run.error or f"The run ended {run.status}."
        return {"__error__": {"error": run.status, "message": message}}
    return await final_state(run)


class JoinStreamConsumer(RunEventsConsumer):
    """`GET /threads/{id}/runs/{rid}/stream`: the run's parts after `Last-Event-ID`."""

    cancel_on_disconnect = False
    run: Run | None = None

    async def respond(self, body: bytes) -> None:
        """Check the request, find the run, stream its parts from where the client is."""
        try:
            caller = await self.authenticate()
            route = self.scope["url_route"]["kwargs"]
            run, record = await owned_run(caller, route["thread_id"], route["run_id"])
            query = self.query_lists()
            after = self.position(query)
            if lost := await engine.events_lost(run.pk):
                raise RequestRejected(410, f"The run's events cannot be replayed: {lost}")
        except RequestRejected as rejected:
            await self.reject(rejected)
            return
        except Exception as exc:
            logger.exception("the join request failed before its stream started")
            await self.reject(failure_of(exc))
            return
        self.run = run
        self.cancel_on_disconnect = truthy(query.get("cancel_on_disconnect", [""])[-1])
        modes = stream_modes([m for m in query.get("stream_mode", []) if m]) or (
            record.stream_modes if record is not None else DEFAULT_MODES
        )
        context = await run_context(run, record, with_state="values" in modes)
        expired = run.finished and await engine.last_event_id(run.pk) is None
        await self.stream_run(run.pk, 0, PartStream(modes, context, after=after), expired=expired)

    def position(self, query: dict[str, list[str]]) -> tuple[int, int]:
        """Where the client is: `Last-Event-ID` (header, or the query's `last_event_id`)."""
        raw = self.headers().get("last-event-id") or query.get("last_event_id", [""])[-1]
        try:
            return parse_event_id(raw)
        except ValueError as exc:
            raise RequestRejected(422, str(exc)) from None

    async def client_left(self) -> None:
        """Cancel the run if the join asked for it (`cancel_on_disconnect`)."""
        if self.cancel_on_disconnect and self.run is not None and not self.response_done:
            runtime = await engine.get_runtime()
            if not runtime.shutting_down:  # cut by the shutdown: the run is handed over
                await engine.cancel(self.run.pk)


def truthy(value: str) -> bool:
    """A query flag: 1, true, yes."""
    return value.strip().lower() in {"1", "true", "yes"}
