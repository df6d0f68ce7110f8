"""`POST /ag-ui`: a `RunAgentInput` runs as a run of its thread, streamed as AG-UI events.

An `AdmittingConsumer` (edge/admission.py): the edge checks, one stream slot, shielded
admission and the disconnect policy (cancel: `HttpAgent.abortRun()` stops the run) are the
same as every protocol's. Refusals are JSON `{"detail": …}` with their status, before any
event; a run that fails streams `RUN_ERROR`.
"""

from __future__ import annotations

from edge.admission import AdmittingConsumer
from edge.sse import SSE_HEADERS, json_body
from edge.streams import SHUTDOWN_EVENT
from memory.seeding import find_session, seed_session
from protocols.ag_ui.bodies import RunAgentInput, conversation_of, parse_input, user_of
from protocols.ag_ui.stream import AgUiEvents
from runs.engine import RunEvent, RunExecutor, RunRequest

SOURCE = "ag-ui"


class AgUiConsumer(AdmittingConsumer):
    """`POST /ag-ui`."""

    run_input: RunAgentInput
    renderer: AgUiEvents

    async def run_request(self, body: bytes) -> RunRequest:
        """The run of the last user message; a new thread stores the client's history."""
        assert self.edge is not None and self.edge.caller is not None
        self.run_input = run = parse_input(body)
        user_id = user_of(self.edge.caller, run)
        conversation = conversation_of(run)
        await self.edge.take_stream_slot()  # before anything is stored
        if await find_session(run.threadId) is None:
            await seed_session(run.threadId, user_id, conversation, source=SOURCE)
        return RunRequest(session_id=run.threadId, user_id=user_id, prompt=conversation.prompt)

    async def answer(self, executor: RunExecutor) -> None:
        """Stream the run from its first event."""
        run = executor.run
        self.renderer = AgUiEvents(run.session_id, self.run_input.runId, run.pk)
        await self.stream_run(run.pk, 0, first_ready=True)

    def stream_headers(self, run_id: str) -> list[tuple[bytes, bytes]]:
        """SSE headers and the run's id."""
        return [*SSE_HEADERS, (b"x-run-id", run_id.encode())]

    def stream_preamble(self) -> bytes:
        """Nothing: the client parses every `data:` line as an event."""
        return b""

    async def write(self, events: list[RunEvent]) -> None:
        """The batch's events; the terminal event's batch ends the body."""
        chunk = b"".join(self.renderer.render(event) for event in events)
        await self.send_chunk(chunk, more_body=not events[-1].terminal)

    async def write_shutdown(self) -> None:
        """The server is stopping: `RUN_ERROR`."""
        error = {"type": "RUN_ERROR", "message": SHUTDOWN_EVENT["message"]}
        error["code"] = SHUTDOWN_EVENT["code"]
        await self.send_chunk(b"data: " + json_body(error) + b"\n\n")
