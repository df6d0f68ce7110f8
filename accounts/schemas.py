"""JSON shapes of the identity endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from chat.models import USER_ID_PATTERN

__all__ = ["ErrorOut", "KeyCreatedOut", "KeyIn", "MeOut"]


class KeyIn(Schema):
    """The body of `POST /v1/keys`."""

    userId: str = Field(pattern=USER_ID_PATTERN)
    name: str = Field("", max_length=100)


class KeyCreatedOut(Schema):
    """A key just created; `key` is shown this once."""

    id: str
    key: str
    prefix: str
    userId: str
    name: str
    createdAt: datetime


class MeOut(Schema):
    """Who the presented key is."""

    kind: Literal["user", "service"]
    userId: str | None
    keyId: str | None
    name: str
    prefix: str


class ErrorOut(Schema):
    """The body of every JSON error: FastAPI's shape, as the original answered."""

    detail: Any
