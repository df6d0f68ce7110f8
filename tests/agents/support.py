"""Helpers to build the conversations agents send, exactly as the pipeline builds them."""

from __future__ import annotations

from datetime import date

from llm.base import ChatMessage
from llm.requests import system_meta
from memory.context import pack_messages


def history(
    *turns: tuple[str, str], summary: str = "", session_id: str = "s1"
) -> list[ChatMessage]:
    """Packed context (meta, summary, turns) for a conversation of (role, content) turns."""
    packed = pack_messages(
        meta=system_meta(session_id, "alice", date(2026, 1, 1)),
        summary=summary,
        turns=[{"role": role, "content": content} for role, content in turns],
        prompt="",
        budget=3000,
    )
    return packed.history


def conversation(role_prompt: str, request: str, *turns: tuple[str, str], summary: str = ""):
    """The messages an agent sends: its instructions, the packed context, its request."""
    return [
        {"role": "system", "content": role_prompt},
        *history(*turns, summary=summary),
        {"role": "user", "content": request},
    ]
