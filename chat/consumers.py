"""`POST /v1/chat/stream`: check the request, open a run for it and stream its events as SSE."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from chat.edge import INTERNAL_ERROR, RequestEdge
from chat.requests import RequestRejected
from chat.run_executor import STOPS as RUN_STOPS
from chat.run_executor import RunConflict, RunExecutor, ShuttingDown, get_runtime
from chat.run_store import SessionForbidden
from chat.run_stream import RunEventsConsumer
from chat.runs import ChatRun, prepare_run

logger = logging.getLogger(__name__)


class ChatStreamConsumer(RunEventsConsumer):
    """Stream one chat run as Server-Sent Events.

    The request passes the edge (chat/edge.py) message by message, before its body is held.
    The run executes in its own task owned by the process (chat/run_executor.py); this
    consumer copies its events from the replay buffer. When the client leaves, the run is
    cancelled or continues, as the request's `onDisconnect` says.
    """

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
        """Check the request (chat.edge), collect the body, then start the response task."""
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
        """Open the request's run, then stream it from its first event."""
        try:
            run = await self.start_run(body)
            runtime = await get_runtime()
            # Shielded: a client leaving mid-admission must not orphan a stored run.
            admitting = runtime.admit(run.request, run, check_connections=True)
            admission = asyncio.ensure_future(admitting)
            admission.add_done_callback(self.admitted)
            await asyncio.shield(admission)
        except SessionForbidden as forbidden:
            await self.reject(self.forbidden(forbidden, run.request.sessionId))
            return
        except RequestRejected as rejected:
            await self.reject(rejected)
            return
        except RunConflict as conflict:
            detail = "The session has an active run (multitaskStrategy: reject)"
            await self.reject(RequestRejected(409, detail), activeRunId=conflict.active_run_id)
            return
        except ShuttingDown:
            detail = "The server is shutting down; retry on another instance"
            await self.reject(RequestRejected(503, detail))
            return
        except Exception:
            logger.exception("the stream request failed before its stream started")
            await self.reject(INTERNAL_ERROR)
            return
        # Admission appended the run's `run` event: the first events are readable at once.
        await self.stream_run(runtime, admission.result().run.pk, 0, first_ready=True)

    async def start_run(self, body: bytes) -> ChatRun:
        """Validate the body for the caller and take a stream slot (admission opens the session)."""
        assert self.edge is not None
        request = self.edge.chat_request(body)
        await self.edge.take_stream_slot()
        return prepare_run(request, received_at=self.received_at or 0.0)

    def forbidden(self, forbidden: SessionForbidden, session_id: str) -> RequestRejected:
        """Another user's session: 403, or 404 for a user key (see chat.edge)."""
        assert self.edge is not None
        return self.edge.as_seen_by_caller(RequestRejected(403, str(forbidden)), session_id)

    def admitted(self, admission: asyncio.Future[RunExecutor]) -> None:
        """Keep the admitted run; apply the disconnect policy if the client already left."""
        if admission.cancelled() or admission.exception() is not None:
            return
        self.executor = admission.result()
        if self.client_gone:
            self.apply_disconnect_policy()

    async def client_left(self) -> None:
        """Cancel the run when the client leaves mid-stream, unless it asked to continue."""
        if not self.response_done:
            self.client_gone = True
            self.apply_disconnect_policy()

    def apply_disconnect_policy(self) -> None:
        """Stop the run if its `onDisconnect` is `cancel`."""
        executor = self.executor
        if executor is not None and executor.run.on_disconnect == "cancel":
            executor.stop(RUN_STOPS["disconnected"])
