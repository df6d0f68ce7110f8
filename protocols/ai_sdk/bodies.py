"""The body `DefaultChatTransport` sends: `{id, messages, trigger, messageId}` (and extras).

`id` is the session; the last user message's text parts are the prompt; earlier messages are
the client's history, stored as a new session's first turns (an existing session's memory is
the context instead). Fields added with the transport's `body` option are allowed: `userId`
(with the service key, whose chat it is), `onDisconnect`, `interruptBefore`,
`interruptAfter`, `approveWrites` and `resume` are read, others ignored. A last message that
is the assistant's, with the approvals `addToolApprovalResponse` recorded, resumes the run
that asked for them.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chat.models import SESSION_ID_PATTERN
from edge.conversation import split_conversation, text_of
from edge.resumes import agent_pauses
from edge.validated import validated
from memory.seeding import Conversation
from runs.engine import Resume


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
    interruptBefore: list[str] | str | None = None  # noqa: N815
    interruptAfter: list[str] | str | None = None  # noqa: N815
    approveWrites: bool | None = None  # noqa: N815
    resume: Any = None
    """Set (a transport `body` field) to resume the chat's paused run: with what."""

    def pauses(self, name: str) -> tuple[str, ...]:
        """The agents `interruptBefore` / `interruptAfter` names; 400 naming an unknown one."""
        return agent_pauses(getattr(self, name), name, status=400)

    def resumed(self) -> Resume | None:
        """The resume this body asks for; None for a new user message.

        Approval responses on the last (assistant) message, or a `resume` field.
        """
        decisions = approval_decisions(self.messages[-1])
        if decisions is not None:
            return Resume({"decisions": decisions}, has_value=True)
        if "resume" in self.model_fields_set:
            return Resume(self.resume, has_value=self.resume is not None)
        return None


APPROVAL = re.compile(r"^write-(?P<interrupt>[0-9a-f]{1,64})-(?P<index>\d{1,2})$")
"""The approval id of a write the stream asked about (protocols/ai_sdk/stream.py)."""


def approval_decisions(message: UIMessage) -> list[dict[str, Any]] | None:
    """The decisions `addToolApprovalResponse` recorded on an assistant message, in order.

    None unless the message is the assistant's and answers at least one of our approvals.
    """
    if message.role != "assistant":
        return None
    answered: list[tuple[int, dict[str, Any]]] = []
    for part in message.parts:
        extra = part.model_extra or {}
        approval = extra.get("approval")
        if extra.get("state") != "approval-responded" or not isinstance(approval, dict):
            continue
        matched = APPROVAL.match(str(approval.get("id", "")))
        if matched is None:
            continue
        if approval.get("approved") is True:
            decision: dict[str, Any] = {"type": "approve"}
        else:
            decision = {"type": "reject", "message": str(approval.get("reason") or "")[:2000]}
        answered.append((int(matched["index"]), decision))
    if not answered:
        return None
    return [decision for _, decision in sorted(answered, key=lambda pair: pair[0])]


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
