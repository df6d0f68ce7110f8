"""What every DB tool call takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ToolContext:
    """Who is calling: injected server-side, never taken from the model's arguments."""

    user_id: str
    session_id: str


@dataclass
class ToolOutcome:
    """The result of one tool call, as streamed and stored (a `telemetry.ToolCall`)."""

    tool: str
    args: dict[str, Any]
    ok: bool
    result: dict[str, Any] = field(default_factory=dict)
    latency_ms: float = 0.0
    error: str | None = None


class ToolRefused(Exception):
    """A tool call asked for something outside the allowed subset; the message says what."""
