"""`POST /ag-ui`: a `RunAgentInput` runs as a run of its thread, streamed as AG-UI events.

An `AdmittingConsumer` (edge/admission.py): the edge checks, one stream slot, shielded
admission and the disconnect policy (cancel: `HttpAgent.abortRun()` stops the run) are the
same as every protocol's. Refusals are JSON `{"detail": …}` with their status, before any
event; a run that fails streams `RUN_ERROR`.
"""

from __future__ import annotations

from dataclasses import replace

from edge.admission import AdmittingConsumer
from edge.conversation import ClientTurn, user_of
from edge.errors import RequestRejected
from edge.resumes import checked_resume
from edge.wire import WireFormat
from memory.seeding import find_session
from protocols.ag_ui.bodies import (
    CANCELLED,
    RunAgentInput,
    conversation_of,
    named_user,
    parse_input,
)
from protocols.ag_ui.stream import AgUiEvents
from runs import engine
from runs.engine import Resume, RunExecutor, RunRequest

SOURCE = "ag-ui"


class AgUiConsumer(AdmittingConsumer):
    """`POST /ag-ui`."""

    run_input: RunAgentInput

    async def client_turn(self, body: bytes) -> ClientTurn:
        """The run of the last user message; a new thread stores the client's history."""
        assert self.edge is not None and self.edge.caller is not None
        self.run_input = run = parse_input(body)
        user_id = user_of(self.edge.caller, named_user(run), "forwardedProps.userId")
        resume = run.resumed()
        conversation = conversation_of(run) if resume is None else None
        request = RunRequest(
            session_id=run.threadId,
            user_id=user_id,
            prompt=conversation.prompt if conversation is not None else "",
            interrupt_before=run.pauses("interruptBefore"),
            interrupt_after=run.pauses("interruptAfter"),
            approve_writes=run.approve_writes(),
            resume=resume,
        )
        if resume is not None:
            return ClientTurn(await self.checked(request, resume))
        return ClientTurn(request, history=conversation, source=SOURCE)

    async def checked(self, request: RunRequest, resume: Resume) -> RunRequest:
        """The resume, checked: the thread is the caller's and waits for this answer.

        A cancelled interrupt rejects the writes it asked about.
        """
        assert self.edge is not None and self.edge.caller is not None
        session = await find_session(request.session_id)
        if session is None or not self.edge.caller.can_see(session.user_id):
            raise RequestRejected(404, f"Thread {request.session_id!r} not found")
        if resume.value is CANCELLED:
            resume = await rejections(request.session_id)
            request = replace(request, resume=resume)
        await checked_resume(request.session_id, resume, field="resume.payload")
        return request

    def wire_format(self, executor: RunExecutor) -> WireFormat:
        """AG-UI's events, with the client's own run id."""
        run = executor.run
        return AgUiEvents(run.session_id, self.run_input.runId, run.pk)


async def rejections(session_id: str) -> Resume:
    """A cancelled interrupt's answer: every write it asked about rejected.

    409 for a pause at an agent, which a new message starts over instead.
    """
    paused = await engine.paused_at(session_id)
    if paused is None:
        raise RequestRejected(
            409, f"Thread {session_id} has no paused run to cancel", code="not_paused"
        )
    asked = [
        waiting["value"]["action_requests"]
        for waiting in paused.interrupts
        if isinstance(waiting["value"], dict) and "action_requests" in waiting["value"]
    ]
    if not asked:
        raise RequestRejected(
            409, "Nothing to cancel: the thread's run waits at an agent; send a new message"
        )
    reject = {"type": "reject", "message": "cancelled"}
    return Resume({"decisions": [reject for _ in asked[0]]}, has_value=True)
