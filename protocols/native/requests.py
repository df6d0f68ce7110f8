"""Validation of the chat request, before any event is streamed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, field_validator

from accounts.callers import Caller
from chat.models import SESSION_ID_PATTERN, USER_ID_PATTERN
from edge.conversation import user_of, within_prompt_limit
from edge.errors import RequestRejected
from edge.validated import validated
from runs.engine import RunRequest

Identifier = Annotated[str, StringConstraints(strip_whitespace=True, pattern=USER_ID_PATTERN)]
SessionIdentifier = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=SESSION_ID_PATTERN)
]


class ChatRequest(BaseModel):
    """The body of `POST /v1/chat/stream`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sessionId: SessionIdentifier
    userId: Identifier | None = None
    """Filled from the key for a user key; required with the service key."""
    prompt: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
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
            prompt=self.prompt,
            on_disconnect=self.onDisconnect,
            multitask_strategy=self.multitaskStrategy,
            webhook=self.webhook or "",
        )

    @field_validator("userId", mode="before")
    @classmethod
    def userid_is_not_null(cls, value: Any) -> Any:
        """Refuse an explicit null (omitting the field is how a user key leaves it out)."""
        if value is None:
            raise ValueError("userId may be omitted but not null")
        return value


def validation_detail(error: ValidationError) -> list[dict[str, Any]]:
    """Describe validation errors as FastAPI did: location, message, type."""
    return [
        {"loc": ["body", *map(str, item["loc"])], "msg": item["msg"], "type": item["type"]}
        for item in error.errors(include_url=False, include_context=False, include_input=False)
    ]


def parse_chat_request(body: bytes) -> ChatRequest:
    """Parse and validate a request body, or raise RequestRejected (400, 413 or 422).

    The body's bytes are bounded at the edge (MAX_BODY_BYTES); the prompt is bounded here by
    its characters once parsed (MAX_PROMPT_CHARS), however the client escaped them.
    """
    chat = validated(ChatRequest, body, status=422, malformed=400, problems=validation_detail)
    within_prompt_limit(chat.prompt, "prompt")
    return chat


def bind_to_caller(request: ChatRequest, caller: Caller) -> ChatRequest:
    """Fill or check the request's userId: the service key names it, a user key is it."""
    try:
        user = user_of(caller, request.userId, "userId", status=422, owner=True)
    except RequestRejected as refused:
        if refused.code != "missing_user":
            raise
        missing = {"loc": ["body", "userId"], "msg": "Field required", "type": "missing"}
        raise RequestRejected(422, [missing]) from None  # the original's shape
    return request.model_copy(update={"userId": user})
