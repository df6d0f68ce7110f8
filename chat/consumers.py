"""The chat stream, the original's contract: `POST /v1/chat/stream` and `GET /v1/runs/{id}/stream`.

A thin adapter over the run engine: parse the body into a run request, admit it, copy the
run's events to the socket as SSE (edge/streams.py does the copying for every protocol).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings

from chat.requests import bind_to_caller, parse_chat_request
from edge.checks import RequestEdge
from edge.errors import INTERNAL_ERROR, RequestRejected
from edge.streams import RunEventsConsumer
from runs import engine
from runs.access import get_run_for
from runs.executor import STOPS as RUN_STOPS
from runs.executor import RunExecutor, get_runtime
from runs.requests import RunRequest
from runs.store import is_run_id

logger = logging.getLogger(__name__)


class ChatStreamConsumer(RunEventsConsumer):
    """Stream one chat run as Server-Sent Events.

    The request passes the edge (edge/checks.py) message by message, before its body is held.
    The run executes in its own task owned by the process (runs/executor.py); this
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
        """Admit the request's run, then stream it from its first event."""
        try:
            request = await self.run_request(body)
            # Shielded: a client leaving mid-admission must not orphan a stored run.
            admitting = engine.admit(
                request, received_at=self.received_at or 0.0, check_connections=True
            )
            admission = asyncio.ensure_future(admitting)
            admission.add_done_callback(self.admitted)
            await asyncio.shield(admission)
            runtime = await get_runtime()
        except engine.SessionForbidden as forbidden:
            await self.reject(self.forbidden(forbidden, request.session_id))
            return
        except RequestRejected as rejected:
            await self.reject(rejected)
            return
        except engine.RunConflict as conflict:
            detail = "The session has an active run (multitaskStrategy: reject)"
            await self.reject(RequestRejected(409, detail), activeRunId=conflict.active_run_id)
            return
        except engine.ShuttingDown:
            detail = "The server is shutting down; retry on another instance"
            await self.reject(RequestRejected(503, detail))
            return
        except Exception:
            logger.exception("the stream request failed before its stream started")
            await self.reject(INTERNAL_ERROR)
            return
        # Admission appended the run's `run` event: the first events are readable at once.
        await self.stream_run(runtime, admission.result().run.pk, 0, first_ready=True)

    async def run_request(self, body: bytes) -> RunRequest:
        """Validate the body for the caller and take a stream slot (admission opens the session)."""
        assert self.edge is not None and self.edge.caller is not None
        chat = parse_chat_request(body, max_prompt_chars=settings.MAX_PROMPT_CHARS)
        request = bind_to_caller(chat, self.edge.caller).to_run_request()
        await self.edge.take_stream_slot()
        return request

    def forbidden(self, forbidden: engine.SessionForbidden, session_id: str) -> RequestRejected:
        """Another user's session: 403, or 404 for a user key (see edge.checks)."""
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


class RunStreamConsumer(RunEventsConsumer):
    """`GET /v1/runs/{runId}/stream`: replay after `Last-Event-ID`, then follow live."""

    async def respond(self, body: bytes) -> None:
        """Check the request, then stream the run from the client's last event."""
        try:
            caller = await self.authenticate()
            run_id, after = self.parse_request()
            runtime = await get_runtime()
            run = await get_run_for(caller, run_id)
            if run is None:
                raise RequestRejected(404, f"Run {run_id!r} not found")
            if await engine.last_event_id(run_id) is None:
                raise RequestRejected(410, self.expired_detail(run.session_id))
        except RequestRejected as rejected:
            await self.reject(rejected)
            return
        except Exception:
            logger.exception("the join request failed before its stream started")
            await self.reject(INTERNAL_ERROR)
            return
        if run.finished and 0 < run.last_event_id <= after:
            # The client has the run's last event: 204 tells an EventSource to stop reconnecting.
            await self.send_response(204, b"", headers=[(b"x-run-id", run_id.encode())])
            self.response_done = True
            return
        await self.stream_run(runtime, run_id, after)

    def parse_request(self) -> tuple[str, int]:
        """Return the run id and the last event id the client has; 422 when malformed."""
        run_id = self.scope["url_route"]["kwargs"]["run_id"]
        if not is_run_id(run_id):
            raise RequestRejected(422, f"{run_id!r} is not a run id (24 hex digits)")
        query = parse_qs(self.scope.get("query_string", b"").decode())
        raw = self.headers().get("last-event-id") or next(iter(query.get("lastEventId", [])), "0")
        if not raw.strip().isdigit():
            raise RequestRejected(422, f"Last-Event-ID must be a non-negative integer, got {raw!r}")
        return run_id, int(raw)

    @staticmethod
    def expired_detail(session_id: str) -> str:
        """Explain a run whose events are no longer retained."""
        return (
            "The run's events are no longer retained (RUN_REPLAY_SECONDS); its answer is in "
            f"/v1/sessions/{session_id}/messages"
        )
