"""The long-term summary: fold the turns that left the short-term window into it, incrementally."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone

from agents.llm.base import ChatMessage, LLMProvider, ProviderError
from chat.models import Message, Session
from memory.context import newest_messages, pack_messages, system_meta

SUMMARY_PROMPT = (
    "You are the Summariser. Fold the new turns of a conversation into the existing summary "
    "and answer with the updated summary only. Keep every fact the user stated about "
    "themselves (name, preferences such as a favourite colour), the decisions taken and the "
    "questions still open; drop small talk and repetition. Be concise: a few short lines."
)
NO_SUMMARY = "(none)"
# Bounds the cost of one update; a later update continues where this one stopped.
FOLD_LIMIT = 200


def summary_request(summary: str, turns: Sequence[ChatMessage]) -> list[ChatMessage]:
    """Build the Summariser's request to fold `turns` into `summary`.

    The format is a contract (the built-in model parses it): a system message with
    `SUMMARY_PROMPT`, then one user message reading exactly::

        Current summary:
        <summary, or (none) when empty>

        New turns:
        <role>: <content>
        <role>: <content>

    one line per turn, oldest first, newlines inside a turn's content replaced by spaces.
    """
    lines = [f"{turn['role']}: {_one_line(turn['content'])}" for turn in turns]
    content = f"Current summary:\n{summary or NO_SUMMARY}\n\nNew turns:\n" + "\n".join(lines)
    return [
        {"role": "system", "content": SUMMARY_PROMPT},
        {"role": "user", "content": content},
    ]


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())


async def turns_outside_window(session: Session, *, k: int, budget: int) -> list[Message]:
    """Return up to `FOLD_LIMIT` unsummarised messages outside the short-term window, oldest first.

    The window is what packing keeps of the newest `k` messages with the session's current
    summary (and an empty prompt); everything older, or dropped by the budget, is outside.
    Only messages created after `session.summarized_until` are returned.
    """
    window = await _window_with_ids(session.session_id, k)
    packed = pack_messages(
        meta=system_meta(session.session_id, session.user_id, timezone.localdate()),
        summary=session.summary,
        turns=[turn for _, turn in window],
        prompt="",
        budget=budget,
    )
    kept_ids = [message_id for message_id, _ in window[packed.dropped_turns :]]
    outside = Message.objects.filter(session_id=session.session_id).exclude(pk__in=kept_ids)
    if session.summarized_until is not None:
        outside = outside.filter(created_at__gt=session.summarized_until)
    return [message async for message in outside.order_by("created_at", "id")[:FOLD_LIMIT]]


async def _window_with_ids(session_id: str, k: int) -> list[tuple[str, ChatMessage]]:
    if k <= 0:
        return []
    newest = newest_messages(session_id, k, "id", "role", "content")
    window = [(pk, ChatMessage(role=role, content=content)) async for pk, role, content in newest]
    window.reverse()
    return window


async def update_summary(
    session: Session,
    provider: LLMProvider,
    *,
    k: int | None = None,
    budget: int | None = None,
) -> bool:
    """Fold the unsummarised turns outside the window into the session's summary.

    Makes at most one `provider.complete` call and none when there is nothing to fold.
    Returns whether the session changed. A `ProviderError` propagates and leaves the
    session as it was.
    """
    k = settings.SHORT_TERM_K if k is None else k
    budget = settings.TOKEN_BUDGET if budget is None else budget
    folded = await turns_outside_window(session, k=k, budget=budget)
    if not folded:
        return False
    turns = [ChatMessage(role=message.role, content=message.content) for message in folded]
    summary = (await provider.complete(summary_request(session.summary, turns))).strip()
    if not summary:
        raise ProviderError("The Summariser answered with an empty summary.")
    session.summary = summary
    session.summarized_until = folded[-1].created_at
    await session.asave(update_fields=["summary", "summarized_until"])
    return True


async def rebuild_summary(
    session: Session,
    provider: LLMProvider,
    *,
    k: int | None = None,
    budget: int | None = None,
) -> bool:
    """Rebuild the session's summary from scratch out of every turn outside the window.

    Returns whether the stored summary or its high-water mark changed. For a deterministic
    provider, running it twice stores the same summary. A `ProviderError` propagates and
    leaves a shorter summary that is consistent with `summarized_until`, which a later
    update continues.
    """
    before = (session.summary, session.summarized_until)
    if before != ("", None):
        session.summary = ""
        session.summarized_until = None
        await session.asave(update_fields=["summary", "summarized_until"])
    while await update_summary(session, provider, k=k, budget=budget):
        pass
    return (session.summary, session.summarized_until) != before
