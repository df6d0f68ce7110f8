"""The OpenAI routes that start runs: `POST /chat/completions` and `POST /responses`.

Both are `AdmittingConsumer`s (edge/admission.py): the shared edge checks, one stream slot,
shielded admission and the disconnect policy come with it; what is OpenAI's is the body
(bodies.py), the session it runs in (store.py) and the rendering (completions.py,
responses.py), refusals included (errors.py, through `OpenAIConsumer.reject`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from chat.models import new_object_id
from edge.admission import AdmittingConsumer
from edge.conversation import ClientTurn, user_of
from edge.wire import WireFormat
from memory.seeding import Conversation
from protocols.openai.bodies import (
    ChatCompletionBody,
    ResponseBody,
    bound_session,
    conversation_of,
    input_messages,
    parse_chat_completion,
    parse_response_body,
    response_conversation,
)
from protocols.openai.completions import ChunkStream, Completion
from protocols.openai.errors import OpenAIError, stream_error
from protocols.openai.rendering import OpenAIConsumer, ResponseStream, response_shape
from protocols.openai.responses import ResponseEvents, response_object
from protocols.openai.store import SOURCE, find_response, new_session_id, store_response
from runs.engine import RunExecutor, RunRequest, collect

FAILED_STATUS = {"run_timeout": 504, "provider_error": 502}
"""The status of a non-streamed chat completion whose run failed (500 otherwise)."""


class OpenAIAdmitting(OpenAIConsumer, AdmittingConsumer):
    """What both run-starting routes share: the user, the session the request binds to."""

    def turn(
        self, bound: str | None, conversation: Conversation, user: str | None, **run: Any
    ) -> ClientTurn:
        """The run in the bound session, or in a new one that the client's history seeds."""
        assert self.edge is not None and self.edge.caller is not None
        session_id = bound or new_session_id()
        request = RunRequest(
            session_id=session_id,
            user_id=user_of(self.edge.caller, user, "user"),
            prompt=conversation.prompt,
            approve_writes=False,  # OpenAI's API cannot say that a run waits for a person
            **run,
        )
        self.session_id = session_id
        return ClientTurn(request, conversation, source=SOURCE, new_session=bound is None)


class ChatCompletionsConsumer(OpenAIAdmitting):
    """`POST /openai/v1/chat/completions`, streamed or not."""

    request: ChatCompletionBody

    async def client_turn(self, body: bytes) -> ClientTurn:
        """The run of the last user message, with the client's history as its context."""
        self.request = request = parse_chat_completion(body)
        bound = bound_session(self.headers().get("x-session-id"), request.metadata)
        conversation = conversation_of(request.messages, "messages")
        return self.turn(bound, conversation, request.user or request.safety_identifier)

    def wire_format(self, executor: RunExecutor) -> WireFormat:
        """Chat completion chunks."""
        run = executor.run
        completion_id, created = f"chatcmpl-{run.pk}", int(run.created_at.timestamp())
        include_usage = self.request.include_usage
        return ChunkStream(completion_id, created, include_usage, session_id=run.session_id)

    async def answer(self, executor: RunExecutor) -> None:
        """Stream chunks, or wait for the run and answer with one `chat.completion`."""
        run = executor.run
        if self.request.stream:
            await self.stream_run(run.pk, 0, self.wire_format(executor), first_ready=True)
            return
        completion = Completion(f"chatcmpl-{run.pk}", int(run.created_at.timestamp()))
        for event in await collect(run.pk):
            completion.add(event)
        if completion.done is not None:
            await self.send_run_json(200, completion.body(), run.pk)
            return
        error = completion.error or {"code": "internal_error", "message": "The run ended."}
        status = FAILED_STATUS.get(error["code"], 500)
        await self.send_run_json(status, stream_error(error["code"], error["message"]), run.pk)


class CreateResponseConsumer(OpenAIAdmitting):
    """`POST /openai/v1/responses`: streamed, waited for, or in the background."""

    request: ResponseBody

    async def client_turn(self, body: bytes) -> ClientTurn:
        """The run of the input's last user message, in the session it continues or a new one."""
        self.request = request = parse_response_body(body)
        self.conversation = response_conversation(request)
        bound = await self.continued_session()
        on_disconnect = "continue" if request.background else "cancel"
        user = request.user or request.safety_identifier
        return self.turn(bound, self.conversation, user, on_disconnect=on_disconnect)

    async def continued_session(self) -> str | None:
        """The session of `previous_response_id`, or the one the request binds to."""
        assert self.edge is not None and self.edge.caller is not None
        previous = self.request.previous_response_id
        if previous is None:
            return bound_session(self.headers().get("x-session-id"), self.request.metadata)
        record = await find_response(self.edge.caller, previous)
        if record is None:
            message = f"Previous response with id {previous!r} not found."
            raise OpenAIError(message, status=404, param="previous_response_id")
        return record.run.session_id

    async def answer(self, executor: RunExecutor) -> None:
        """Store the response's row, then stream the run, wait for it, or return at once."""
        run = executor.run
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
        events = ResponseEvents(response_shape(stored, run))
        if self.request.stream:
            stream = ResponseStream(events, run.session_id)
            await self.stream_run(run.pk, 0, stream, first_ready=True)
        elif self.request.background:
            status = "queued" if run.status == "queued" else "in_progress"
            await self.send_run_json(200, response_object(events.shape, status), run.pk)
        else:
            rendered = [item for event in await collect(run.pk) for item in events.render(event)]
            final = next(item["response"] for item in reversed(rendered) if "response" in item)
            if final["status"] in {"queued", "in_progress"}:  # the run ended unseen
                final = response_object(events.shape, "incomplete")
            await self.send_run_json(200, final, run.pk)


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
