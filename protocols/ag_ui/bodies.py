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

from accounts.callers import service_user
from chat.models import SESSION_ID_PATTERN
from edge.errors import RequestRejected
from edge.validated import last_user_prompt, validated
from memory.seeding import Conversation


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


def text_of(content: Any, where: str) -> str:
    """A message's text: a string, or its text parts joined (400 for media)."""
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, list):
        texts = []
        for part in content:
            kind = part.get("type") if isinstance(part, dict) else None
            if kind != "text":
                raise RequestRejected(400, f"{where}: {kind!r} content is not supported, send text")
            texts.append(str(part.get("text", "")))
        return "".join(texts)
    raise RequestRejected(400, f"{where}: content must be a string or text parts")


def conversation_of(run: RunAgentInput) -> Conversation:
    """The prompt (the last user message), the turns before it, the system instructions."""
    last = run.messages[-1]
    if last.role != "user":
        raise RequestRejected(400, "messages: the last message must be the user's")
    prompt = last_user_prompt(text_of(last.content, f"messages.{len(run.messages) - 1}"))
    instructions: list[str] = []
    turns: list[tuple[str, str]] = []
    for index, message in enumerate(run.messages[:-1]):
        if message.role in {"system", "developer"}:
            instructions.append(text_of(message.content, f"messages.{index}"))
        elif message.role in {"user", "assistant"}:
            text = text_of(message.content, f"messages.{index}")
            if text.strip():
                turns.append((message.role, text))
    return Conversation("\n\n".join(instructions), turns, prompt)


def user_of(caller: Any, run: RunAgentInput) -> str:
    """Whose thread: a user key's user, or `forwardedProps.userId` with the service key."""
    if not caller.is_service:
        return caller.user_id
    named = (run.forwardedProps or {}).get("userId")
    if named is not None and (not isinstance(named, str) or len(named) > 128):
        raise RequestRejected(400, "forwardedProps.userId must be a string of 1-128 characters")
    user = service_user(named)
    if user is None:
        raise RequestRejected(400, "forwardedProps.userId is required with the service key")
    return user
