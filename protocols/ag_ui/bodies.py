"""AG-UI's `RunAgentInput`: `{threadId, runId, messages, state, tools, context, forwardedProps}`.

`threadId` is the session; the last user message is the prompt; earlier messages seed a new
session's history (an existing session's memory is the context instead). Client-side `tools`
are ignored: the pipeline calls its own DB tools and never asks a client to run one.
`state` and `context` are accepted and ignored. With the service key, `forwardedProps.userId`
names the user.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chat.models import SESSION_ID_PATTERN
from edge.conversation import split_conversation, text_of
from edge.validated import validated
from memory.seeding import Conversation

READ_ROLES = frozenset({"system", "developer", "user", "assistant"})


class InputMessage(BaseModel):
    """One AG-UI message (text is read; tool and activity messages are skipped)."""

    model_config = ConfigDict(extra="allow")

    id: str = ""
    role: str
    content: Any = None


class RunAgentInput(BaseModel):
    """`POST /ag-ui`."""

    model_config = ConfigDict(extra="allow")

    threadId: str = Field(pattern=SESSION_ID_PATTERN)  # noqa: N815 (AG-UI's names)
    runId: str = Field(min_length=1, max_length=128)  # noqa: N815
    messages: list[InputMessage] = Field(min_length=1)
    tools: list[dict[str, Any]] = Field(default_factory=list)
    context: list[dict[str, Any]] = Field(default_factory=list)
    state: Any = None
    forwardedProps: dict[str, Any] | None = None  # noqa: N815


def parse_input(body: bytes) -> RunAgentInput:
    """Parse and validate the body; 400 naming what is wrong."""
    return validated(RunAgentInput, body, status=400, what="a JSON object (a RunAgentInput)")


def conversation_of(run: RunAgentInput) -> Conversation:
    """The prompt (the last user message), the turns before it, the system instructions.

    Tool, reasoning and activity messages are the client's own record: read past.
    """
    return split_conversation(
        (
            (message.role, text_of(message.content, f"messages.{index}"))
            for index, message in enumerate(run.messages)
            if message.role in READ_ROLES
        ),
        "messages",
    )


def named_user(run: RunAgentInput) -> object:
    """The user `forwardedProps.userId` names (None when it names none)."""
    return (run.forwardedProps or {}).get("userId")
