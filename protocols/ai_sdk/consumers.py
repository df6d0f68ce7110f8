"""The AI SDK routes: `POST /ai-sdk/chat` (a run, streamed) and `GET /ai-sdk/chat/{id}/stream`.

`ChatConsumer` is an `AdmittingConsumer` (edge/admission.py): the edge checks, one stream
slot, shielded admission and the disconnect policy come with it. What is the AI SDK's is the
body (bodies.py), the stream (stream.py) and its headers. `ResumeConsumer` replays the
session's active run from its start and goes on live; 204 when there is none, which is what
`useChat({resume: true})` expects: also for a chat with no run yet (a new page) and for
another user's (which is not told apart from one that does not exist).
"""

from __future__ import annotations

from django.conf import settings

from edge.admission import AdmittingConsumer
from edge.errors import RequestRejected
from edge.sse import SSE_HEADERS
from edge.streams import SHUTDOWN_EVENT, RunEventsConsumer
from memory.seeding import find_session, seed_session
from protocols.ai_sdk.bodies import ChatBody, conversation_of, parse_chat, user_of
from protocols.ai_sdk.stream import DONE, UIMessageStream, error_text, sse
from runs.engine import RunEvent, RunExecutor, RunRequest, session_holder

SOURCE = "ai-sdk"
STREAM_HEADERS = [*SSE_HEADERS, (b"x-vercel-ai-ui-message-stream", b"v1")]


class UIStreaming:
    """A mixin for run streams: the UI message stream's headers, parts and framing."""

    renderer: UIMessageStream

    def stream_headers(self, run_id: str) -> list[tuple[bytes, bytes]]:
        """SSE headers, the protocol's marker, and where the run is."""
        return [*STREAM_HEADERS, (b"x-run-id", run_id.encode())]

    def stream_preamble(self) -> bytes:
        """Nothing: the AI SDK's parser reads every `data:` line as a chunk."""
        return b""

    async def write(self, events: list[RunEvent]) -> None:
        """The batch's chunks; the terminal event's batch ends with `[DONE]` and the body."""
        chunk = b"".join(self.renderer.render(event) for event in events)
        await self.send_chunk(chunk, more_body=not events[-1].terminal)  # type: ignore[attr-defined]

    async def write_shutdown(self) -> None:
        """The server is stopping: an `error` chunk (a resume elsewhere goes on)."""
        text = error_text(SHUTDOWN_EVENT)
        chunk = sse({"type": "error", "errorText": text}).encode() + DONE
        await self.send_chunk(chunk)  # type: ignore[attr-defined]


class ChatConsumer(UIStreaming, AdmittingConsumer):
    """`POST /ai-sdk/chat`: the last user message as a run of the chat's session."""

    chat: ChatBody

    async def run_request(self, body: bytes) -> RunRequest:
        """The run of the last user message; a new session stores the client's history."""
        assert self.edge is not None and self.edge.caller is not None
        self.chat = chat = parse_chat(body)
        user_id = user_of(self.edge.caller, chat)
        conversation = conversation_of(chat)
        await self.edge.take_stream_slot()  # before anything is stored
        if await find_session(chat.id) is None:
            await seed_session(chat.id, user_id, conversation, source=SOURCE)
        on_disconnect = chat.onDisconnect or settings.AI_SDK_ON_DISCONNECT
        return RunRequest(
            session_id=chat.id,
            user_id=user_id,
            prompt=conversation.prompt,
            on_disconnect=on_disconnect,
        )

    async def answer(self, executor: RunExecutor) -> None:
        """Stream the run from its first event."""
        self.renderer = UIMessageStream(executor.run.pk, executor.run.session_id)
        await self.stream_run(executor.run.pk, 0, first_ready=True)


class ResumeConsumer(UIStreaming, RunEventsConsumer):
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
        if holder is None:
            await self.send_response(204, b"", headers=[])
            self.response_done = True
            return
        self.renderer = UIMessageStream(holder.pk, session_id)
        await self.stream_run(holder.pk, 0)
