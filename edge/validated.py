"""A request body as a validated pydantic model, or a `RequestRejected` naming what is wrong.

The protocols' bodies differ; how a body is read does not: bounded JSON (edge/bounded_json.py),
a JSON object, then the protocol's model, every invalid or unknown field named in one line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from pydantic import BaseModel, ValidationError

from edge.bounded_json import JsonTooComplex, load_bounded_json
from edge.errors import RequestRejected

Model = TypeVar("Model", bound=BaseModel)


def validated(
    model: type[Model],
    body: bytes,
    *,
    status: int,
    what: str = "a JSON object",
    malformed: int | None = None,
    problems: Callable[[ValidationError], Any] | None = None,
) -> Model:
    """Parse `body` into `model`; `status` (400 or 422) naming the problem otherwise.

    `malformed`: the status of a body that is not a JSON object, if not `status`;
    `problems`: how the invalid fields are described (one line naming each, by default).
    """
    try:
        data = load_bounded_json(body)
    except (JsonTooComplex, ValueError) as exc:
        raise RequestRejected(malformed or status, f"Invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise RequestRejected(malformed or status, f"The body must be {what}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestRejected(status, (problems or field_problems)(exc)) from None


def field_problems(exc: ValidationError) -> str:
    """One line naming each invalid or unknown field."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "body"
        message = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
        problems.append(f"{where}: {message}")
    return "; ".join(problems)


def last_user_prompt(prompt: str) -> str:
    """The text of a conversation's last user message as a prompt: 400 empty, 413 too long."""
    if not prompt.strip():
        raise RequestRejected(400, "messages: the last user message has no text")
    if len(prompt) > settings.MAX_PROMPT_CHARS:
        limit = settings.MAX_PROMPT_CHARS
        raise RequestRejected(413, f"The last user message is longer than {limit} characters")
    return prompt
