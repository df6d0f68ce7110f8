"""`POST /v1/chat/stream`: open a run for the request and stream its events as SSE."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from chat.requests import RequestRejected
from chat.run_executor import STOPS as RUN_STOPS
from chat.run_executor import RunConflict, RunExecutor, ShuttingDown, get_runtime
from chat.run_stream import RunEventsConsumer
from chat.runs import open_run


class ChatStreamConsumer(RunEventsConsumer):
    """Stream one chat run as Server-Sent Events.

    The run executes in its own task owned by the process (chat/run_executor.py); this
    consumer copies its events from the replay buffer. When the client leaves, the run is
    cancelled or continues, as the request's `onDisconnect` says.
    """

    allowed_method = "POST"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Start with no run."""
        super().__init__(*args, **kwargs)
        self.received_at: float | None = None
        self.executor: RunExecutor | None = None
        self.client_gone = False

    async def http_request(self, message: dict[str, Any]) -> None:
        """Note when the request arrived, then collect its body."""
        self.received_at = self.received_at or time.perf_counter()
        await super().http_request(message)

    async def respond(self, body: bytes) -> None:
        """Check the request, open its run, then stream the run from its first event."""
        try:
            await self.authenticate()
            run = await open_run(body, received_at=self.received_at or 0.0)
            runtime = await get_runtime()
            # Shielded: a client leaving mid-admission must not orphan a stored run.
            admission = asyncio.ensure_future(runtime.admit(run.record.session, run.request, run))
            admission.add_done_callback(self.admitted)
            await asyncio.shield(admission)
        except RequestRejected as rejected:
            await self.reject(rejected.status, rejected.detail)
            return
        except RunConflict as conflict:
            detail = "The session has an active run (multitaskStrategy: reject)"
            await self.reject(409, detail, activeRunId=conflict.active_run_id)
            return
        except ShuttingDown:
            await self.reject(503, "The server is shutting down; retry on another instance")
            return
        await self.stream_run(runtime, admission.result().run.pk, 0)

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
