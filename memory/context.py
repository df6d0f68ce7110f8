"""Context packing: system meta, session summary, memories, the last K turns and the prompt.

All within the token budget; the memories (memory/longterm.py: what the user said in earlier
conversations, most related to the prompt) within MEMORY_TOKEN_SHARE of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

from chat.models import Message, Session
from llm.base import ChatMessage
from llm.requests import memories_message, summary_message, system_meta
from llm.tokens import CHARS_PER_TOKEN, estimate_message_tokens, estimate_tokens
from memory.longterm import recall

TRUNCATION_MARK = "…"


@dataclass(frozen=True)
class PackedContext:
    """A context packed under a token budget, with what was kept and dropped."""

    messages: list[ChatMessage]
    """Everything sent to the model, in order, ending with the current prompt."""
    summary: str
    """The session summary as included: possibly truncated, empty when left out."""
    turns: list[ChatMessage]
    """The short-term turns kept, oldest first."""
    prompt: str
    """The current user prompt, always included."""
    tokens: int
    """The token estimate of all `messages`."""
    dropped_turns: int
    """How many of the last K turns the budget dropped (the oldest ones)."""
    window: tuple[ChatMessage, ...] = ()
    """The newest K stored messages as `pack` read them, oldest first, unanswered ones too."""
    whole_session: bool = False
    """Whether `window` is every message the session had (fewer than K were stored)."""
    memories: tuple[str, ...] = ()
    """What the user said in earlier conversations, as included (oldest first)."""
    budget: int = 0
    """The token budget it was packed within."""

    @property
    def history(self) -> list[ChatMessage]:
        """Return every message but the current prompt."""
        return self.messages[:-1]

    def report(self) -> dict[str, Any]:
        """What was packed, with its tokens against its budget (the run's `context` event)."""
        memories = memories_message(self.memories)["content"] if self.memories else ""
        summary = summary_message(self.summary)["content"] if self.summary else ""
        return {
            "budget": self.budget,
            "tokens": self.tokens,
            "summary": {"tokens": estimate_tokens(summary) if summary else 0},
            "turns": {
                "kept": len(self.turns),
                "dropped": self.dropped_turns,
                "tokens": estimate_message_tokens(self.turns) if self.turns else 0,
            },
            "memories": {
                "items": list(self.memories),
                "tokens": estimate_tokens(memories) if memories else 0,
            },
        }


def fit_summary(summary: str, room: int) -> str:
    """Return `summary`, or its most recent part marked with "…", so its message fits `room`.

    Returns the empty string when not even the header and a few characters fit.
    """
    if not summary or estimate_tokens(summary_message(summary)["content"]) <= room:
        return summary
    overhead = len(summary_message(TRUNCATION_MARK)["content"])
    tail_chars = room * CHARS_PER_TOKEN - overhead
    if tail_chars <= 0:
        return ""
    return TRUNCATION_MARK + summary[-tail_chars:]


def fit_turns(turns: Sequence[ChatMessage], room: int) -> list[ChatMessage]:
    """Return the newest turns that fit `room`, dropping the oldest first (a contiguous run)."""
    kept: list[ChatMessage] = []
    used = 0
    for turn in reversed(turns):
        used += estimate_tokens(turn["content"])
        if used > room:
            break
        kept.append(turn)
    kept.reverse()
    return kept


def pack_messages(
    *,
    meta: str,
    summary: str,
    turns: Sequence[ChatMessage],
    prompt: str,
    budget: int,
    memories: Sequence[str] = (),
) -> PackedContext:
    """Pack meta, summary, memories, turns and prompt within `budget` tokens.

    Oldest turns are dropped first; when meta, summary and prompt alone exceed the budget the
    summary keeps only its most recent part, then goes. The memories go when they do not fit
    beside meta, summary and prompt. Meta and prompt are never dropped, so the result exceeds
    `budget` when those two alone do.
    """
    meta_message: ChatMessage = {"role": "system", "content": meta}
    prompt_message: ChatMessage = {"role": "user", "content": prompt}
    room = budget - estimate_message_tokens([meta_message, prompt_message])
    kept_summary = fit_summary(summary, max(room, 0))
    head = [meta_message]
    if kept_summary:
        head.append(summary_message(kept_summary))
        room -= estimate_tokens(head[-1]["content"])
    kept_memories: tuple[str, ...] = ()
    recalled = memories_message(memories) if memories else None
    cost = estimate_tokens(recalled["content"]) if recalled else 0
    if recalled and cost <= room:
        head.append(recalled)
        room -= cost
        kept_memories = tuple(memories)
    kept_turns = fit_turns(turns, max(room, 0))
    messages = [*head, *kept_turns, prompt_message]
    return PackedContext(
        messages=messages,
        summary=kept_summary,
        turns=kept_turns,
        prompt=prompt,
        tokens=estimate_message_tokens(messages),
        dropped_turns=len(turns) - len(kept_turns),
        memories=kept_memories,
        budget=budget,
    )


def read_recent_turns_with_ids(session_id: str, k: int) -> list[tuple[str, ChatMessage]]:
    """Return the newest `k` messages of a session as (id, turn), oldest first, in one query.

    It reads the (session, createdAt) index and at most `k` rows, whatever the history length.
    """
    if k <= 0:
        return []
    newest = Message.objects.filter(session_id=session_id).order_by("-created_at", "-id")
    rows = newest.values_list("id", "role", "content")[:k]
    window = [(pk, ChatMessage(role=role, content=content)) for pk, role, content in rows]
    window.reverse()
    return window


async def recent_turns_with_ids(session_id: str, k: int) -> list[tuple[str, ChatMessage]]:
    """`read_recent_turns_with_ids` from async code (one thread hop)."""
    return await sync_to_async(read_recent_turns_with_ids)(session_id, k)


def answered_turns(turns: Sequence[ChatMessage]) -> list[ChatMessage]:
    """Drop user turns that got no answer (their run failed, was cancelled or interrupted).

    Such a turn is followed by another user turn, or ends the history (the current prompt
    comes next); leaving it in would show the model two user turns in a row.
    """
    kept = []
    for index, turn in enumerate(turns):
        following = turns[index + 1] if index + 1 < len(turns) else None
        if turn["role"] == "user" and (following is None or following["role"] == "user"):
            continue
        kept.append(turn)
    return kept


def pack(
    session: Session,
    prompt: str,
    *,
    k: int | None = None,
    budget: int | None = None,
    today: date | None = None,
    window: list[ChatMessage] | None = None,
) -> PackedContext:
    """Pack the context for `prompt` in `session`; k and budget default to the settings.

    Synchronous, so that it can share a database trip (see runs/turns.py). `window` is the
    session's newest k messages when the caller knows them already (a new session has
    none); otherwise they are read.
    """
    k = settings.SHORT_TERM_K if k is None else k
    budget = settings.TOKEN_BUDGET if budget is None else budget
    meta = system_meta(session.session_id, session.user_id, today or timezone.localdate())
    if window is None:
        window = [turn for _, turn in read_recent_turns_with_ids(session.session_id, k)]
    packed = pack_messages(
        meta=meta,
        summary=session.summary,
        turns=answered_turns(window),
        prompt=prompt,
        budget=budget,
        memories=recalled(session.user_id, prompt, budget),
    )
    return replace(packed, window=tuple(window), whole_session=len(window) < k)


def recalled(user_id: str, prompt: str, budget: int) -> list[str]:
    """What the user said before that relates to `prompt`, within its share of `budget`."""
    if not settings.MEMORY_ENABLED:
        return []
    room = int(budget * settings.MEMORY_TOKEN_SHARE)
    return recall(user_id, prompt, k=settings.MEMORY_RECALL_K, room=room)
