"""The body `DefaultChatTransport` sends: `{id, messages, trigger, messageId}` (and extras).

`id` is the session; the last user message's text parts are the prompt; earlier messages are
the client's history, stored as a new session's first turns (an existing session's memory is
the context instead). Fields added with the transport's `body` option are allowed: `userId`
(with the service key, whose chat it is) and `onDisconnect` are read, others ignored.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from accounts.callers import service_user
from chat.models import SESSION_ID_PATTERN
from edge.errors import RequestRejected
from edge.validated import last_user_prompt, validated
from memory.seeding import Conversation

ROLES = {"user": "user", "assistant": "assistant"}


class UIPart(BaseModel):
    """One part of a UI message (text is read; step, data, tool and reasoning parts skipped)."""

    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class UIMessage(BaseModel):
    """A UI message as useChat keeps it."""

    model_config = ConfigDict(extra="allow")

    id: str = ""
    role: Literal["system", "user", "assistant"]
    parts: list[UIPart] = Field(default_factory=list)


class ChatBody(BaseModel):
    """`POST /ai-sdk/chat`."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(pattern=SESSION_ID_PATTERN)
    messages: list[UIMessage] = Field(min_length=1)
    trigger: Literal["submit-message", "regenerate-message"] = "submit-message"
    messageId: str | None = None  # noqa: N815 (the transport's name)
    userId: str | None = Field(None, min_length=1, max_length=128)  # noqa: N815
    onDisconnect: Literal["cancel", "continue"] | None = None  # noqa: N815


def parse_chat(body: bytes) -> ChatBody:
    """Parse and validate the body; 400 naming what is wrong."""
    return validated(ChatBody, body, status=400)


def text_of(message: UIMessage, where: str) -> str:
    """A message's text parts joined; 400 for a file part (the pipeline reads text)."""
    texts = []
    for part in message.parts:
        if part.type == "text":
            texts.append(part.text or "")
        elif part.type == "file":
            raise RequestRejected(400, f"{where}: file parts are not supported, send text")
    return "".join(texts)


def conversation_of(chat: ChatBody) -> Conversation:
    """The prompt (the last user message), the history before it and any instructions."""
    last = chat.messages[-1]
    if last.role != "user":
        raise RequestRejected(400, "messages: the last message must be the user's")
    prompt = last_user_prompt(text_of(last, f"messages.{len(chat.messages) - 1}"))
    instructions: list[str] = []
    turns: list[tuple[str, str]] = []
    for index, message in enumerate(chat.messages[:-1]):
        text = text_of(message, f"messages.{index}")
        if message.role == "system":
            instructions.append(text)
        elif text.strip():
            turns.append((ROLES[message.role], text))
    return Conversation("\n\n".join(instructions), turns, prompt)


def user_of(caller: Any, chat: ChatBody) -> str:
    """Whose chat: a user key's user, or `userId` with the service key (400 without)."""
    if not caller.is_service:
        return caller.user_id
    user = service_user(chat.userId)
    if user is None:
        raise RequestRejected(
            400, "userId is required with the service key (the transport's body option)"
        )
    return user
