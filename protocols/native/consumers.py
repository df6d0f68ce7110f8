"""The chat stream, the original's contract: `POST /v1/chat/stream` and `GET /v1/runs/{id}/stream`.

A thin adapter over the run engine: parse the body into a run request, admit it, copy the
run's events to the socket as SSE (edge/streams.py does the copying for every protocol).
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

from accounts.lookups import SessionNotFound, get_session_or_404
from edge.admission import AdmittingConsumer
from edge.conversation import ClientTurn, checked_webhook
from edge.errors import RequestRejected, failure_of
from edge.resumes import checked_resume
from edge.streams import RunEventsConsumer
from edge.wire import WireFormat
from protocols.native.requests import bind_to_caller, parse_chat_request
from protocols.native.wire import ChatEvents
from runs import engine
from runs.engine import RunExecutor, RunRequest, get_run_for, is_run_id
from runs.models import Run

logger = logging.getLogger(__name__)


class ChatStreamConsumer(AdmittingConsumer):
    """Stream one chat run as Server-Sent Events.

    The request passes the edge (edge/checks.py) message by message, before its body is held;
    admission and the disconnect policy are the shared ones (edge/admission.py). The run
    executes in its own task owned by the process (runs/executor.py); this consumer copies its
    events from the replay buffer.
    """

    async def client_turn(self, body: bytes) -> ClientTurn:
        """Validate the body for the caller: the original's chat request (no history)."""
        assert self.edge is not None and self.edge.caller is not None
        chat = bind_to_caller(parse_chat_request(body), self.edge.caller)
        await checked_webhook(chat.webhook, "webhook")
        request = chat.to_run_request()
        if request.resume is not None:
            await self.check_resume(request)
        return ClientTurn(request)

    async def check_resume(self, request: RunRequest) -> None:
        """404 unless the caller's session exists; 409/422 unless the resume is one it waits for."""
        assert self.edge is not None and self.edge.caller is not None and request.resume
        try:
            await get_session_or_404(request.session_id, self.edge.caller)
        except SessionNotFound as missing:
            raise RequestRejected(404, str(missing)) from None
        await checked_resume(
            request.session_id, request.resume, checkpoint_id=request.checkpoint_id
        )

    def wire_format(self, executor: RunExecutor) -> WireFormat:
        """The chat stream's SSE."""
        return ChatEvents()


class RunStreamConsumer(RunEventsConsumer):
    """`GET /v1/runs/{runId}/stream`: replay after `Last-Event-ID`, then follow live."""

    async def respond(self, body: bytes) -> None:
        """Check the request, then stream the run from the client's last event."""
        try:
            caller = await self.authenticate()
            run_id, after = self.parse_request()
            run = await get_run_for(caller, run_id)
            if run is None:
                raise RequestRejected(404, f"Run {run_id!r} not found")
            if await engine.last_event_id(run_id) is None and run.finished:
                lost = await engine.events_lost(run_id)
                raise RequestRejected(
                    410, self.expired_detail(run, lost), code="events_lost" if lost else None
                )
        except RequestRejected as rejected:
            await self.reject(rejected)
            return
        except Exception as exc:
            logger.exception("the join request failed before its stream started")
            await self.reject(failure_of(exc))
            return
        if run.finished and 0 < run.last_event_id <= after:
            # The client has the run's last event: 204 tells an EventSource to stop reconnecting.
            await self.send_response(204, b"", headers=[(b"x-run-id", run_id.encode())])
            self.response_done = True
            return
        await self.stream_run(run_id, after, ChatEvents())

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
    def expired_detail(run: Run, lost: str | None = None) -> str:
        """Explain a run whose events are no longer retained (or `lost`: why), and its outcome."""
        gone = (
            f"The run's events cannot be replayed: {lost}"
            if lost
            else ("The run's events are no longer retained (RUN_REPLAY_SECONDS)")
        )
        if run.status == Run.Status.OK:
            return f"{gone}; its answer is in /v1/sessions/{run.session_id}/messages"
        ended = {
            Run.Status.INTERRUPTED: "it was interrupted before it answered",
            Run.Status.CANCELLED: "it was cancelled before it answered",
            Run.Status.ERROR: "it failed before it answered",
        }.get(run.status, f"it is {run.status}")
        why = f": {run.error}" if run.error else ""
        return f"{gone}: {ended}{why}; it has no answer (GET /v1/runs/{run.pk} says more)"
