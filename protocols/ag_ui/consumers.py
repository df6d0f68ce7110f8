"""`POST /ag-ui`: a `RunAgentInput` runs as a run of its thread, streamed as AG-UI events.

An `AdmittingConsumer` (edge/admission.py): the edge checks, one stream slot, shielded
admission and the disconnect policy (cancel: `HttpAgent.abortRun()` stops the run) are the
same as every protocol's. Refusals are JSON `{"detail": …}` with their status, before any
event; a run that fails streams `RUN_ERROR`.
"""

from __future__ import annotations

from edge.admission import AdmittingConsumer
from edge.conversation import ClientTurn, user_of
from edge.wire import WireFormat
from protocols.ag_ui.bodies import RunAgentInput, conversation_of, named_user, parse_input
from protocols.ag_ui.stream import AgUiEvents
from runs.engine import RunExecutor, RunRequest

SOURCE = "ag-ui"


class AgUiConsumer(AdmittingConsumer):
    """`POST /ag-ui`."""

    run_input: RunAgentInput

    async def client_turn(self, body: bytes) -> ClientTurn:
        """The run of the last user message; a new thread stores the client's history."""
        assert self.edge is not None and self.edge.caller is not None
        self.run_input = run = parse_input(body)
        conversation = conversation_of(run)
        user_id = user_of(self.edge.caller, named_user(run), "forwardedProps.userId")
        request = RunRequest(session_id=run.threadId, user_id=user_id, prompt=conversation.prompt)
        return ClientTurn(request, history=conversation, source=SOURCE)

    def wire_format(self, executor: RunExecutor) -> WireFormat:
        """AG-UI's events, with the client's own run id."""
        run = executor.run
        return AgUiEvents(run.session_id, self.run_input.runId, run.pk)
