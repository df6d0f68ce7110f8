"""The body `DefaultChatTransport` sends: `{id, messages, trigger, messageId}` (and extras).

`id` is the session; the last user message's text parts are the prompt; earlier messages are
the client's history, stored as a new session's first turns (an existing session's memory is
the context instead). Fields added with the transport's `body` option are allowed: `userId`
(with the service key, whose chat it is) and `onDisconnect` are read, others ignored.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chat.models import SESSION_ID_PATTERN
from edge.conversation import split_conversation, text_of
from edge.validated import validated
from memory.seeding import Conversation


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


def read_past(kind: str) -> bool:
    """Step, data, tool, source and reasoning parts are the UI's; a file would be content."""
    return kind != "file"


def conversation_of(chat: ChatBody) -> Conversation:
    """The prompt (the last user message), the history before it and any instructions."""
    return split_conversation(
        (
            (message.role, text_of(parts_of(message), f"messages.{index}", read_past=read_past))
            for index, message in enumerate(chat.messages)
        ),
        "messages",
    )


def parts_of(message: UIMessage) -> list[dict[str, Any]]:
    """A message's parts as the JSON the transport sent."""
    return [part.model_dump() for part in message.parts]
