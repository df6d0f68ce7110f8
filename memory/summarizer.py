"""The long-term summary: fold the turns that left the short-term window into it, incrementally."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone

from chat.models import Message, Session
from llm.base import ChatMessage, LLMProvider, ProviderError
from llm.requests import SummaryRequest, system_meta
from memory.context import pack_messages, recent_turns_with_ids

# Bounds the cost of one update; a later update continues where this one stopped.
FOLD_LIMIT = 200


def summary_request(summary: str, turns: Sequence[ChatMessage]) -> SummaryRequest:
    """Build the Summariser's request to fold `turns` into `summary`."""
    return SummaryRequest(summary=summary, turns=list(turns))


async def turns_outside_window(session: Session, *, k: int, budget: int) -> list[Message]:
    """Return up to `FOLD_LIMIT` unsummarised messages outside the short-term window, oldest first.

    The window is what packing keeps of the newest `k` messages with the session's current
    summary (and an empty prompt); everything older, or dropped by the budget, is outside.
    Only messages created after `session.summarized_until` are returned.
    """
    window = await recent_turns_with_ids(session.session_id, k)
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


def nothing_outside_window(
    session: Session,
    turns: Sequence[ChatMessage],
    *,
    k: int | None = None,
    budget: int | None = None,
) -> bool:
    """Whether a session whose messages are exactly `turns` (oldest first) keeps all in its window.

    Then `update_summary` would fold nothing: this decides it without a query, from what
    packing already read plus the run's two new messages.
    """
    k = settings.SHORT_TERM_K if k is None else k
    budget = settings.TOKEN_BUDGET if budget is None else budget
    if len(turns) > k:
        return False
    packed = pack_messages(
        meta=system_meta(session.session_id, session.user_id, timezone.localdate()),
        summary=session.summary,
        turns=list(turns),
        prompt="",
        budget=budget,
    )
    return packed.dropped_turns == 0


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
