"""Validation of the chat request, before any event is streamed."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, field_validator

from chat.bounded_json import JsonTooComplex, load_bounded_json
from chat.ids import SESSION_ID_PATTERN, USER_ID_PATTERN

MAX_BODY_OVERHEAD_BYTES = 4096
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

    @field_validator("userId", mode="before")
    @classmethod
    def userid_is_not_null(cls, value: Any) -> Any:
        """Refuse an explicit null (omitting the field is how a user key leaves it out)."""
        if value is None:
            raise ValueError("userId may be omitted but not null")
        return value


class RequestRejected(Exception):
    """The request cannot start a run; carries the HTTP status and the JSON detail."""

    def __init__(self, status: int, detail: Any, headers: dict[str, str] | None = None) -> None:
        """Remember the status, the JSON detail and any extra response headers."""
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def validation_detail(error: ValidationError) -> list[dict[str, Any]]:
    """Describe validation errors as FastAPI did: location, message, type."""
    return [
        {"loc": ["body", *map(str, item["loc"])], "msg": item["msg"], "type": item["type"]}
        for item in error.errors(include_url=False, include_context=False, include_input=False)
    ]


def parse_chat_request(body: bytes, *, max_prompt_chars: int) -> ChatRequest:
    """Parse and validate a request body, or raise RequestRejected (400, 413 or 422)."""
    if len(body) > max_prompt_chars * 4 + MAX_BODY_OVERHEAD_BYTES:
        raise RequestRejected(413, "Request body too large")
    try:
        raw = load_bounded_json(body)
    except JsonTooComplex as too_complex:
        raise RequestRejected(400, str(too_complex)) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise RequestRejected(400, "Body must be a JSON object") from None
    if not isinstance(raw, dict):
        raise RequestRejected(400, "Body must be a JSON object")
    if isinstance(raw.get("prompt"), str) and len(raw["prompt"].strip()) > max_prompt_chars:
        raise RequestRejected(413, f"prompt is longer than {max_prompt_chars} characters")
    try:
        return ChatRequest.model_validate(raw)
    except ValidationError as error:
        raise RequestRejected(422, validation_detail(error)) from None
