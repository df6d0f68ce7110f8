"""A request body as a validated pydantic model, or a `RequestRejected` naming what is wrong.

The protocols' bodies differ; how a body is read does not: bounded JSON (edge/bounded_json.py),
a JSON object, then the protocol's model, every invalid or unknown field named in one line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

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
    data = json_object(body, status=malformed or status, what=what)
    return model_of(model, data, status=status, problems=problems)


def json_object(body: bytes, *, status: int, what: str = "a JSON object") -> dict[str, Any]:
    """The body as a JSON object, read within bounds (edge/bounded_json.py); `status` if not."""
    try:
        data = load_bounded_json(body)
    except (JsonTooComplex, ValueError) as exc:
        raise RequestRejected(status, f"Invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise RequestRejected(status, f"The body must be {what}")
    return data


def model_of(
    model: type[Model],
    data: dict[str, Any],
    *,
    status: int,
    problems: Callable[[ValidationError], Any] | None = None,
) -> Model:
    """`data` validated as `model`; `status` naming every invalid field (the first as `param`)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = ".".join(str(part) for part in exc.errors()[0]["loc"]) or None
        detail = (problems or field_problems)(exc)
        raise RequestRejected(status, detail, param=first) from None


def field_problems(exc: ValidationError) -> str:
    """One line naming each invalid or unknown field."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "body"
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        elif error["type"] == "value_error":  # our own validators' words, without pydantic's
            message = str(error["ctx"]["error"])
        else:
            message = error["msg"]
        problems.append(f"{where}: {message}")
    return "; ".join(problems)
