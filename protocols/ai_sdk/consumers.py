"""The AI SDK routes: `POST /ai-sdk/chat` (a run, streamed) and `GET /ai-sdk/chat/{id}/stream`.

`ChatConsumer` is an `AdmittingConsumer` (edge/admission.py): the edge checks, one stream
slot, shielded admission and the disconnect policy come with it. What is the AI SDK's is the
body (bodies.py), the stream (stream.py) and its headers. `ResumeConsumer` replays the
session's active run from its start and goes on live; 204 when there is none, which is what
`useChat({resume: true})` expects: also for a chat with no run yet (a new page) and for
another user's (which is not told apart from one that does not exist).
"""

from __future__ import annotations

import logging

from django.conf import settings

from edge.admission import AdmittingConsumer
from edge.conversation import ClientTurn, user_of
from edge.errors import RequestRejected, failure_of
from edge.resumes import checked_resume
from edge.streams import RunEventsConsumer
from edge.wire import WireFormat
from memory.seeding import find_session
from protocols.ai_sdk.bodies import conversation_of, parse_chat
from protocols.ai_sdk.stream import UIMessageStream
from runs.engine import RunExecutor, RunRequest, session_holder

logger = logging.getLogger(__name__)
SOURCE = "ai-sdk"


class ChatConsumer(AdmittingConsumer):
    """`POST /ai-sdk/chat`: the last user message as a run of the chat's session."""

    async def client_turn(self, body: bytes) -> ClientTurn:
        """The run of the last user message; a new session stores the client's history."""
        assert self.edge is not None and self.edge.caller is not None
        chat = parse_chat(body)
        resume = chat.resumed()
        conversation = conversation_of(chat) if resume is None else None
        run = RunRequest(
            session_id=chat.id,
            user_id=user_of(self.edge.caller, chat.userId, "userId"),
            prompt=conversation.prompt if conversation is not None else "",
            on_disconnect=chat.onDisconnect or settings.AI_SDK_ON_DISCONNECT,
            interrupt_before=chat.pauses("interruptBefore"),
            interrupt_after=chat.pauses("interruptAfter"),
            approve_writes=chat.approveWrites,
            resume=resume,
        )
        if resume is not None:
            await self.check_resume(run)
            return ClientTurn(run)
        return ClientTurn(run, history=conversation, source=SOURCE)

    async def check_resume(self, run: RunRequest) -> None:
        """404 unless the chat is the caller's; 409/422 unless its paused run waits for this."""
        assert self.edge is not None and self.edge.caller is not None and run.resume
        session = await find_session(run.session_id)
        if session is None or not self.edge.caller.can_see(session.user_id):
            raise RequestRejected(404, f"Chat {run.session_id!r} not found")
        await checked_resume(run.session_id, run.resume, field="messages.approval")

    def wire_format(self, executor: RunExecutor) -> WireFormat:
        """The UI message stream, from the run's first event."""
        return UIMessageStream(executor.run.pk, executor.run.session_id)


class ResumeConsumer(RunEventsConsumer):
    """`GET /ai-sdk/chat/{id}/stream`: the session's active run from its start, then live."""

    async def respond(self, body: bytes) -> None:
        """204 without an active run of the caller's (or without the chat); its stream otherwise."""
        try:
            caller = await self.authenticate()
            session_id = self.scope["url_route"]["kwargs"]["chat_id"]
            session = await find_session(session_id)
            mine = session is not None and caller.can_see(session.user_id)
            holder = await session_holder(session_id) if mine else None
        except RequestRejected as rejected:
            await self.reject(rejected)
            return
        except Exception as exc:
            logger.exception("the resume request failed before its stream started")
            await self.reject(failure_of(exc))
            return
        if holder is None:
            await self.send_response(204, b"", headers=[])
            self.response_done = True
            return
        await self.stream_run(holder.pk, 0, UIMessageStream(holder.pk, session_id))
