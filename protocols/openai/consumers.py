"""The OpenAI routes that start runs: `POST /chat/completions` and `POST /responses`.

Both are `AdmittingConsumer`s (edge/admission.py): the shared edge checks, one stream slot,
shielded admission and the disconnect policy come with it; what is OpenAI's is the body
(bodies.py), the session it runs in (store.py) and the rendering (completions.py,
responses.py), refusals included (errors.py, through `OpenAIRendering.reject`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from chat.models import new_object_id
from edge.admission import AdmittingConsumer
from memory.seeding import Conversation, seed_session
from protocols.openai.bodies import (
    ChatCompletionBody,
    ResponseBody,
    bound_session,
    conversation_of,
    input_messages,
    parse_chat_completion,
    parse_response_body,
    response_conversation,
    user_of,
)
from protocols.openai.completions import ChunkStream, Completion
from protocols.openai.errors import OpenAIError, stream_error
from protocols.openai.rendering import OpenAIRendering, ResponseStreaming, response_shape
from protocols.openai.responses import ResponseEvents, response_object
from protocols.openai.store import SOURCE, find_response, new_session_id, store_response
from runs.engine import RunExecutor, RunRequest, collect

FAILED_STATUS = {"run_timeout": 504, "provider_error": 502}
"""The status of a non-streamed chat completion whose run failed (500 otherwise)."""


class OpenAIAdmitting(OpenAIRendering, AdmittingConsumer):
    """What both run-starting routes share: the user, the session, a slot taken first."""

    async def session_for(self, user_id: str, conversation: Conversation, bound: str | None) -> str:
        """Take a stream slot, then the bound session, or a new one seeded with the history."""
        assert self.edge is not None
        await self.edge.take_stream_slot()  # before anything is stored
        if bound is not None:
            return bound
        session_id = new_session_id()
        await seed_session(session_id, user_id, conversation, source=SOURCE)
        return session_id


class ChatCompletionsConsumer(OpenAIAdmitting):
    """`POST /openai/v1/chat/completions`, streamed or not."""

    request: ChatCompletionBody

    async def run_request(self, body: bytes) -> RunRequest:
        """The run of the last user message, with the client's history as its context."""
        assert self.edge is not None and self.edge.caller is not None
        self.request = parse_chat_completion(body)
        user_id = user_of(self.edge.caller, self.request.user, self.request.safety_identifier)
        bound = bound_session(self.headers().get("x-session-id"), self.request.metadata)
        conversation = conversation_of(self.request.messages, "messages")
        session_id = await self.session_for(user_id, conversation, bound)
        return RunRequest(session_id=session_id, user_id=user_id, prompt=conversation.prompt)

    async def answer(self, executor: RunExecutor) -> None:
        """Stream chunks, or wait for the run and answer with one `chat.completion`."""
        run = executor.run
        completion_id, created = f"chatcmpl-{run.pk}", int(run.created_at.timestamp())
        self.session_id = run.session_id
        if self.request.stream:
            self.renderer = ChunkStream(completion_id, created, self.request.include_usage)
            await self.stream_run(run.pk, 0, first_ready=True)
            return
        completion = Completion(completion_id, created)
        for event in await collect(run.pk):
            completion.add(event)
        if completion.done is not None:
            await self.send_json(200, completion.body(), run.pk)
            return
        error = completion.error or {"code": "internal_error", "message": "The run ended."}
        status = FAILED_STATUS.get(error["code"], 500)
        await self.send_json(status, stream_error(error["code"], error["message"]), run.pk)

    def render(self, events: list[Any]) -> bytes:
        """The chat completion stream's bytes for a batch of run events."""
        return b"".join(self.renderer.render(event) for event in events)


class CreateResponseConsumer(ResponseStreaming, OpenAIAdmitting):
    """`POST /openai/v1/responses`: streamed, waited for, or in the background."""

    request: ResponseBody

    async def run_request(self, body: bytes) -> RunRequest:
        """The run of the input's last user message, in the session it continues or a new one."""
        assert self.edge is not None and self.edge.caller is not None
        caller = self.edge.caller
        self.request = parse_response_body(body)
        user_id = user_of(caller, self.request.user, self.request.safety_identifier)
        self.conversation = response_conversation(self.request)
        bound = await self.continued_session(caller)
        session_id = await self.session_for(user_id, self.conversation, bound)
        return RunRequest(
            session_id=session_id,
            user_id=user_id,
            prompt=self.conversation.prompt,
            on_disconnect="continue" if self.request.background else "cancel",
        )

    async def continued_session(self, caller: Any) -> str | None:
        """The session of `previous_response_id`, or the one the request binds to."""
        previous = self.request.previous_response_id
        if previous is None:
            return bound_session(self.headers().get("x-session-id"), self.request.metadata)
        record = await find_response(caller, previous)
        if record is None:
            message = f"Previous response with id {previous!r} not found."
            raise OpenAIError(message, status=404, param="previous_response_id")
        return record.run.session_id

    async def answer(self, executor: RunExecutor) -> None:
        """Store the response's row, then stream the run, wait for it, or return at once."""
        run = executor.run
        self.session_id = run.session_id
        stored = await asyncio.shield(
            store_response(
                run.pk,
                instructions=self.conversation.instructions,
                metadata=self.request.metadata or {},
                input_items=input_items(self.request),
                previous_response_id=self.request.previous_response_id or "",
                background=self.request.background,
            )
        )
        self.renderer = ResponseEvents(response_shape(stored, run))
        if self.request.stream:
            await self.stream_run(run.pk, 0, first_ready=True)
        elif self.request.background:
            status = "queued" if run.status == "queued" else "in_progress"
            await self.send_json(200, response_object(self.renderer.shape, status), run.pk)
        else:
            events = await collect(run.pk)
            rendered = [item for event in events for item in self.renderer.render(event)]
            final = next(item["response"] for item in reversed(rendered) if "response" in item)
            if final["status"] in {"queued", "in_progress"}:  # the run ended unseen
                final = response_object(self.renderer.shape, "incomplete")
            await self.send_json(200, final, run.pk)


def input_items(request: ResponseBody) -> list[dict[str, Any]]:
    """The request's input as input message items (what `GET …/input_items` lists)."""
    listed = []
    for item in input_messages(request):
        content = item.get("content")
        parts = [{"type": "input_text", "text": content}] if isinstance(content, str) else content
        listed.append(
            {
                "id": f"msg_{new_object_id()}",
                "type": "message",
                "role": item.get("role"),
                "status": "completed",
                "content": parts,
            }
        )
    return listed
