"""The consumer that starts a run: edge checks, a protocol's body → a run request, admission.

Every protocol whose POST starts a run subclasses `AdmittingConsumer`: it gives
`client_turn(body)` (parse, validate, bind to the caller: edge/conversation.py has the
shared rules; nothing is stored yet), and either `wire_format(executor)` (how the run's
events are written) or, if it does not stream them as they come, `answer(executor)`. The
base does the rest, the same way for all: the request passes the edge (edge/checks.py)
message by message before its body is held; one stream slot is taken before anything is
stored; a new session is seeded with the history the client sent; admission is shielded
(a client leaving mid-admission must not orphan a stored run); the engine's refusals become
`RequestRejected`s, which the protocol's `reject` renders; and when the client leaves, the
run is cancelled or goes on, as its `on_disconnect` says.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from edge.checks import RequestEdge
from edge.conversation import ClientTurn
from edge.errors import RequestRejected, failure_of
from edge.streams import RunEventsConsumer
from edge.wire import WireFormat
from memory.seeding import find_session, seed_session
from runs import engine
from runs.engine import STOPS, RunExecutor, RunRequest

logger = logging.getLogger(__name__)
CONFLICT_DETAIL = "The session has an active run (multitaskStrategy: reject)"
SHUTDOWN_DETAIL = "The server is shutting down; retry on another instance"


class AdmittingConsumer(RunEventsConsumer):
    """A POST that admits one run, then answers with it (by default: its events as they come)."""

    allowed_method = "POST"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Start with no run."""
        super().__init__(*args, **kwargs)
        self.received_at: float | None = None
        self.edge: RequestEdge | None = None
        self.executor: RunExecutor | None = None
        self.client_gone = False
        self.connections_checked = True
        """Not before each message: admission's database trip checks them (one hop fewer)."""

    async def http_request(self, message: dict[str, Any]) -> None:
        """Check the request (edge.checks), collect the body, then start the response task."""
        self.received_at = self.received_at or time.perf_counter()
        if self.task is not None:
            return  # already answered with a rejection: the rest of the body is not kept
        self.edge = self.edge or RequestEdge(self.scope)
        outcome = await self.edge.receive(message)
        if isinstance(outcome, RequestRejected):
            self.task = asyncio.create_task(self.reject(outcome))
        elif outcome is not None:
            self.task = asyncio.create_task(self.respond(outcome))

    async def http_disconnect(self, message: dict[str, Any]) -> None:
        """Apply the disconnect policy, end the response, give back the stream slot."""
        try:
            await super().http_disconnect(message)
        finally:
            if self.edge is not None:
                await self.edge.release()

    async def respond(self, body: bytes) -> None:
        """Admit the request's run, then answer with it; refusals answer as the protocol says."""
        try:
            turn = await self.client_turn(body)
            assert self.edge is not None
            await self.edge.take_stream_slot()  # before anything is stored
            await seed_new_session(turn)
            executor = await self.admit(turn.run)
        except RequestRejected as rejected:
            await self.reject(rejected)
            return
        except engine.RunConflict as conflict:
            active = conflict.active_run_id
            await self.reject(RequestRejected(409, CONFLICT_DETAIL), activeRunId=active)
            return
        except engine.ShuttingDown:
            await self.reject(RequestRejected(503, SHUTDOWN_DETAIL))
            return
        except Exception as exc:
            logger.exception("the request failed before its run started")
            await self.reject(failure_of(exc))
            return
        await self.answer(executor)

    async def client_turn(self, body: bytes) -> ClientTurn:
        """Parse and validate the body for the caller, storing nothing (subclasses).

        RequestRejected when the body is bad.
        """
        raise NotImplementedError

    def wire_format(self, executor: RunExecutor) -> WireFormat:
        """How the admitted run's events are written (subclasses that stream them)."""
        raise NotImplementedError

    async def admit(self, request: RunRequest) -> RunExecutor:
        """Admit the run, shielded from the client leaving meanwhile."""
        assert self.edge is not None
        received_at = self.received_at or 0.0
        admitting = engine.admit(request, received_at=received_at, check_connections=True)
        admission = asyncio.ensure_future(admitting)
        admission.add_done_callback(self.admitted)
        try:
            return await asyncio.shield(admission)
        except engine.SessionForbidden as forbidden:
            rejected = RequestRejected(403, str(forbidden))
            raise self.edge.as_seen_by_caller(rejected, request.session_id) from None

    async def answer(self, executor: RunExecutor) -> None:
        """Stream the admitted run from its first event (its `run` event is readable at once)."""
        await self.stream_run(executor.run.pk, 0, self.wire_format(executor), first_ready=True)

    def admitted(self, admission: asyncio.Future[RunExecutor]) -> None:
        """Keep the admitted run; apply the disconnect policy if the client already left."""
        if admission.cancelled() or admission.exception() is not None:
            return
        self.executor = admission.result()
        if self.client_gone:
            self.apply_disconnect_policy()

    async def client_left(self) -> None:
        """Cancel the run when the client leaves mid-response, unless it asked to continue."""
        if not self.response_done:
            self.client_gone = True
            self.apply_disconnect_policy()

    def apply_disconnect_policy(self) -> None:
        """Stop the run if its `on_disconnect` is `cancel`."""
        executor = self.executor
        if executor is not None and executor.run.on_disconnect == "cancel":
            executor.stop(STOPS["disconnected"])


async def seed_new_session(turn: ClientTurn) -> None:
    """Store the history the client sent as the turn's session, if that session is new."""
    history = turn.history
    if history is None or not (history.instructions or history.turns):
        return
    session_id = turn.run.session_id
    if turn.new_session or await find_session(session_id) is None:
        await seed_session(session_id, turn.run.user_id, history, source=turn.source)
