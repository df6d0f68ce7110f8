"""AG-UI's `RunAgentInput`: `{threadId, runId, messages, state, tools, context, forwardedProps}`.

`threadId` is the session; the last user message is the prompt; earlier messages seed a new
session's history (an existing session's memory is the context instead). Client-side `tools`
are ignored: the pipeline calls its own DB tools and never asks a client to run one.
`state` and `context` are accepted and ignored. With the service key, `forwardedProps.userId`
names the user.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chat.models import SESSION_ID_PATTERN
from edge.conversation import split_conversation, text_of
from edge.errors import RequestRejected
from edge.resumes import agent_pauses
from edge.validated import validated
from memory.seeding import Conversation
from runs.engine import Resume

READ_ROLES = frozenset({"system", "developer", "user", "assistant"})


class InputMessage(BaseModel):
    """One AG-UI message (text is read; tool and activity messages are skipped)."""

    model_config = ConfigDict(extra="allow")

    id: str = ""
    role: str
    content: Any = None


class ResumeEntry(BaseModel):
    """An answer to one interrupt (AG-UI 1.0's `RunAgentInput.resume`)."""

    model_config = ConfigDict(extra="allow")

    interruptId: str = Field(min_length=1, max_length=200)  # noqa: N815
    status: Literal["resolved", "cancelled"]
    payload: Any = None


CANCELLED = {"decisions": "cancelled"}
"""The resume value of a cancelled interrupt: the consumer turns it into rejections."""


def parsed_json(text: str) -> Any:
    """A string that holds JSON, parsed (kept as the string when it is not JSON)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


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
    resume: list[ResumeEntry] | None = None
    """Answers to the interrupts the thread's last run ended with (AG-UI 1.0)."""

    def prop(self, name: str) -> Any:
        """A `forwardedProps` field (None when absent)."""
        return (self.forwardedProps or {}).get(name)

    def pauses(self, name: str) -> tuple[str, ...]:
        """`forwardedProps.interruptBefore` / `interruptAfter`; 400 naming an unknown agent."""
        return agent_pauses(self.prop(name), f"forwardedProps.{name}", status=400)

    def approve_writes(self) -> bool | None:
        """`forwardedProps.approveWrites`; 400 unless a boolean."""
        value = self.prop("approveWrites")
        if value is not None and not isinstance(value, bool):
            raise RequestRejected(400, "forwardedProps.approveWrites: must be a boolean")
        return value

    def resumed(self) -> Resume | None:
        """The resume this input asks for (None: a new message).

        Its `resume` entries, or LangGraph's `forwardedProps.command.resume` (what CopilotKit's
        LangGraph integration sends).
        """
        if self.resume:
            entry = self.resume[0]  # the pipeline pauses for one thing at a time
            if entry.status == "cancelled":
                return Resume(CANCELLED, has_value=True)
            return Resume(entry.payload, has_value=entry.payload is not None)
        command = self.prop("command")
        if isinstance(command, dict) and "resume" in command:
            value = command["resume"]
            if isinstance(value, str):  # CopilotKit's resolve() sends a string
                value = parsed_json(value)
            return Resume(value, has_value=value is not None)
        return None


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
