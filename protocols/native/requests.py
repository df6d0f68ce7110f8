"""Validation of the chat request, before any event is streamed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from accounts.callers import Caller
from chat.models import SESSION_ID_PATTERN, USER_ID_PATTERN
from edge.conversation import user_of, within_prompt_limit
from edge.errors import RequestRejected
from edge.validated import json_object, model_of
from runs.engine import AGENTS, Resume, RunRequest

Identifier = Annotated[str, StringConstraints(strip_whitespace=True, pattern=USER_ID_PATTERN)]
SessionIdentifier = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=SESSION_ID_PATTERN)
]
AgentName = Literal[AGENTS]  # type: ignore[valid-type]
Pauses = list[AgentName | Literal["*"]] | Literal["*"]
"""Agents a run pauses at: a list of names (planner, worker, critic, synthesizer), or "*"."""


class RunBody(BaseModel):
    """What every body that starts a run says: whose, where, and the run's policies."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sessionId: SessionIdentifier
    userId: Identifier | None = None
    """Filled from the key for a user key; required with the service key."""
    checkpointId: str | None = Field(None, min_length=1, max_length=64)
    """Start (or resume) from this checkpoint of the session instead of its latest: a fork."""
    interruptBefore: Pauses = Field(default_factory=list)
    """Agents to pause before (docs/checkpoints.md)."""
    interruptAfter: Pauses = Field(default_factory=list)
    """Agents to pause after."""
    approveWrites: bool | None = None
    """Ask a person before each write (db.insert); unset: APPROVE_WRITES."""
    onDisconnect: Literal["cancel", "continue"] = "cancel"
    """What the run does when the client leaves: stop, or finish and store its answer."""
    multitaskStrategy: Literal["enqueue", "reject", "interrupt"] = "enqueue"
    """What happens when the session already has an active run."""
    webhook: str | None = None
    """Where a POST of the run goes when it ends (docs/webhooks.md); checked on admission."""

    def to_run_request(self) -> RunRequest:
        """The engine's request for this body (after `bind_to_caller` filled `userId`)."""
        assert self.userId is not None, "to_run_request() before bind_to_caller()"
        return RunRequest(
            session_id=self.sessionId,
            user_id=self.userId,
            prompt=self.prompt_text(),
            on_disconnect=self.onDisconnect,
            multitask_strategy=self.multitaskStrategy,
            webhook=self.webhook or "",
            interrupt_before=pauses(self.interruptBefore),
            interrupt_after=pauses(self.interruptAfter),
            resume=self.resumed(),
            checkpoint_id=self.checkpointId or "",
            approve_writes=self.approveWrites,
        )

    def prompt_text(self) -> str:
        """The prompt the run answers ("" for a resume)."""
        return ""

    def resumed(self) -> Resume | None:
        """The resume the body asks for (None: a new prompt)."""
        return None

    @field_validator("userId", mode="before")
    @classmethod
    def userid_is_not_null(cls, value: Any) -> Any:
        """Refuse an explicit null (omitting the field is how a user key leaves it out)."""
        if value is None:
            raise ValueError("userId may be omitted but not null")
        return value


class ChatRequest(RunBody):
    """The body of `POST /v1/chat/stream` with a new prompt."""

    prompt: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

    def prompt_text(self) -> str:
        """The user's message."""
        return self.prompt


class ResumeRequest(RunBody):
    """The body of `POST /v1/chat/stream` that resumes the session's paused run (no prompt)."""

    resume: Any = None
    """What the paused run is answered with: null for nothing (a pause before or after an
    agent), `{"decisions": [...]}` for writes to review (docs/checkpoints.md)."""

    def resumed(self) -> Resume | None:
        """The resume: with a value unless `resume` is null."""
        return Resume(self.resume, has_value=self.resume is not None)


def pauses(value: list[str] | str) -> tuple[str, ...]:
    """The agents of an `interruptBefore` / `interruptAfter`, in order, without repeats."""
    return ("*",) if value == "*" else tuple(dict.fromkeys(value))


def validation_detail(error: ValidationError) -> list[dict[str, Any]]:
    """Describe validation errors as FastAPI did: location, message, type."""
    return [
        {"loc": ["body", *map(str, item["loc"])], "msg": item["msg"], "type": item["type"]}
        for item in error.errors(include_url=False, include_context=False, include_input=False)
    ]


def parse_chat_request(body: bytes) -> RunBody:
    """Parse and validate a request body, or raise RequestRejected (400, 413 or 422).

    The body's bytes are bounded at the edge (MAX_BODY_BYTES); the prompt is bounded here by
    its characters once parsed (MAX_PROMPT_CHARS), however the client escaped them.
    """
    data = json_object(body, status=400)
    model = ResumeRequest if "resume" in data else ChatRequest
    chat = model_of(model, data, status=422, problems=validation_detail)
    if isinstance(chat, ChatRequest):
        within_prompt_limit(chat.prompt, "prompt")
    return chat


def bind_to_caller(request: RunBody, caller: Caller) -> RunBody:
    """Fill or check the request's userId: the service key names it, a user key is it."""
    try:
        user = user_of(caller, request.userId, "userId", status=422, owner=True)
    except RequestRejected as refused:
        if refused.code != "missing_user":
            raise
        missing = {"loc": ["body", "userId"], "msg": "Field required", "type": "missing"}
        raise RequestRejected(422, [missing]) from None  # the original's shape
    return request.model_copy(update={"userId": user})
