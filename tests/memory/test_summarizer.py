"""The long-term summary: what gets folded, when the model is called, and what is stored."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from asgiref.sync import async_to_sync

from chat.models import Message, Session
from llm.base import ChatMessage, LLMProvider, ModelT, ProviderError
from llm.requests import SUMMARY_PROMPT, ModelRequest, render, system_meta
from llm.tokens import estimate_tokens
from memory.summarizer import (
    FOLD_LIMIT,
    rebuild_summary,
    summary_request,
    turns_outside_window,
    update_summary,
)
from tests.conftest import ALICE
from tests.memory.history import T0, add_messages

BIG = 1_000_000  # a budget nothing exceeds


class RecordingProvider(LLMProvider):
    """A deterministic Summariser: answers "summary of <N> turns" and records every request.

    N is the count in the current summary plus the new turns, so the answer depends only
    on the request (a rebuild run twice gives the same summary).
    """

    name = "recording"

    def __init__(self) -> None:
        self.requests: list[list[ChatMessage]] = []

    async def complete(self, request: ModelRequest) -> str:
        messages = render(request)
        self.requests.append(messages)
        current, new_turns = messages[-1]["content"].split("\n\nNew turns:\n")
        known = re.search(r"summary of (\d+) turns", current)
        total = (int(known.group(1)) if known else 0) + len(new_turns.splitlines())
        return f"summary of {total} turns"

    async def stream(self, request: ModelRequest) -> AsyncIterator[str]:
        yield await self.complete(request)

    async def structured(self, request: ModelRequest, schema: type[ModelT]) -> ModelT:
        raise ProviderError("The recording provider gives no structured output.")


class FailingProvider(RecordingProvider):
    """A Summariser whose model is unreachable."""

    async def complete(self, request: ModelRequest) -> str:
        self.requests.append(render(request))
        raise ProviderError("model unreachable")


def sent_turns(request: list[ChatMessage]) -> list[str]:
    return request[1]["content"].split("New turns:\n")[1].splitlines()


@pytest.fixture
def session(db) -> Session:
    """An empty session of alice's."""
    return Session.objects.create(session_id="alice-mem", user_id=ALICE)


def update(session: Session, provider: LLMProvider, **limits: int) -> bool:
    return async_to_sync(update_summary)(session, provider, **limits)


# --- the request format (parsed by the built-in model) -------------------------------------


def test_the_prompt_introduces_the_summariser_and_what_to_keep() -> None:
    assert SUMMARY_PROMPT.startswith("You are the Summariser.")
    assert "favourite colour" in SUMMARY_PROMPT


def test_the_request_lists_the_summary_and_one_line_per_turn() -> None:
    turns = [
        {"role": "user", "content": "My name is Alice.\nI like blue."},
        {"role": "assistant", "content": "Noted."},
    ]
    assert render(summary_request("The user is new.", turns)) == [
        {"role": "system", "content": SUMMARY_PROMPT},
        {
            "role": "user",
            "content": "Current summary:\nThe user is new.\n\nNew turns:\n"
            "user: My name is Alice. I like blue.\nassistant: Noted.",
        },
    ]


def test_the_request_says_none_when_there_is_no_summary_yet() -> None:
    request = render(summary_request("", [{"role": "user", "content": "hi"}]))
    assert request[1]["content"] == "Current summary:\n(none)\n\nNew turns:\nuser: hi"


# --- update_summary -------------------------------------------------------------------------


def test_it_calls_no_model_when_nothing_left_the_window(session: Session) -> None:
    add_messages(session, 2)
    provider = RecordingProvider()
    assert update(session, provider, k=2, budget=BIG) is False
    assert provider.requests == []
    session.refresh_from_db()
    assert (session.summary, session.summarized_until) == ("", None)


def test_it_folds_the_turns_older_than_the_last_k(session: Session) -> None:
    add_messages(session, 6)
    provider = RecordingProvider()
    assert update(session, provider, k=2, budget=BIG) is True
    [request] = provider.requests
    assert request[1]["content"].startswith("Current summary:\n(none)\n")
    assert sent_turns(request) == [
        "user: turn 0",
        "assistant: turn 1",
        "user: turn 2",
        "assistant: turn 3",
    ]
    session.refresh_from_db()
    assert session.summary == "summary of 4 turns"
    assert session.summarized_until == T0 + timedelta(seconds=3)


def test_it_sends_only_the_turns_not_yet_summarised(session: Session) -> None:
    add_messages(session, 6)
    provider = RecordingProvider()
    update(session, provider, k=2, budget=BIG)
    add_messages(session, 2, start=6)
    assert update(session, provider, k=2, budget=BIG) is True
    second = provider.requests[1]
    assert second[1]["content"].startswith("Current summary:\nsummary of 4 turns\n")
    assert sent_turns(second) == ["user: turn 4", "assistant: turn 5"]
    session.refresh_from_db()
    assert session.summary == "summary of 6 turns"
    assert session.summarized_until == T0 + timedelta(seconds=5)


def test_a_provider_error_leaves_the_session_unchanged(session: Session) -> None:
    add_messages(session, 6)
    session.summary = "kept"
    session.save()
    before = Session.objects.values().get(pk=session.pk)
    with pytest.raises(ProviderError):
        update(session, FailingProvider(), k=2, budget=BIG)
    assert Session.objects.values().get(pk=session.pk) == before


def test_it_folds_turns_the_budget_drops_from_the_window(session: Session) -> None:
    add_messages(session, 6, size=400)  # 100 tokens each
    meta = system_meta(session.session_id, ALICE, date.today())
    budget = estimate_tokens(meta) + 250  # room for two of the last four turns
    provider = RecordingProvider()
    assert update(session, provider, k=4, budget=budget) is True
    assert [line[:14] for line in sent_turns(provider.requests[0])] == [
        "user: turn 0..",
        "assistant: tur",
        "user: turn 2..",
        "assistant: tur",
    ]
    session.refresh_from_db()
    assert session.summarized_until == T0 + timedelta(seconds=3)


def test_one_update_folds_a_bounded_number_of_turns_and_the_next_continues(
    session: Session,
) -> None:
    add_messages(session, FOLD_LIMIT + 5)
    provider = RecordingProvider()
    update(session, provider, k=2, budget=BIG)
    assert len(sent_turns(provider.requests[0])) == FOLD_LIMIT
    update(session, provider, k=2, budget=BIG)
    assert sent_turns(provider.requests[1]) == [
        f"user: turn {FOLD_LIMIT}",
        f"assistant: turn {FOLD_LIMIT + 1}",
        f"user: turn {FOLD_LIMIT + 2}",
    ]
    assert update(session, provider, k=2, budget=BIG) is False
    assert len(provider.requests) == 2


def test_turns_outside_the_window_skip_what_is_already_summarised(session: Session) -> None:
    add_messages(session, 6)
    session.summarized_until = T0 + timedelta(seconds=1)
    outside = async_to_sync(turns_outside_window)(session, k=2, budget=BIG)
    assert [m.content for m in outside] == ["turn 2", "turn 3"]


def test_it_defaults_to_the_settings(session: Session, settings) -> None:
    settings.SHORT_TERM_K = 3
    settings.TOKEN_BUDGET = BIG
    add_messages(session, 5)
    provider = RecordingProvider()
    assert update(session, provider) is True
    assert sent_turns(provider.requests[0]) == ["user: turn 0", "assistant: turn 1"]


# --- rebuild_summary ------------------------------------------------------------------------


def test_a_rebuild_replaces_the_summary_with_one_of_everything_outside_the_window(
    session: Session,
) -> None:
    add_messages(session, FOLD_LIMIT + 12)
    session.summary = "stale"
    session.summarized_until = T0 + timedelta(seconds=5)
    session.save()
    provider = RecordingProvider()
    assert async_to_sync(rebuild_summary)(session, provider, k=2, budget=BIG) is True
    assert len(provider.requests) == 2
    session.refresh_from_db()
    assert session.summary == f"summary of {FOLD_LIMIT + 10} turns"
    assert session.summarized_until == T0 + timedelta(seconds=FOLD_LIMIT + 9)


def test_a_rebuild_run_twice_stores_the_same_summary(session: Session) -> None:
    add_messages(session, 9)
    async_to_sync(rebuild_summary)(session, RecordingProvider(), k=2, budget=BIG)
    first = Session.objects.values("summary", "summarized_until").get(pk=session.pk)
    changed = async_to_sync(rebuild_summary)(session, RecordingProvider(), k=2, budget=BIG)
    second = Session.objects.values("summary", "summarized_until").get(pk=session.pk)
    assert changed is False
    assert (
        first
        == second
        == {"summary": "summary of 7 turns", "summarized_until": T0 + timedelta(seconds=6)}
    )


def test_a_rebuild_of_a_short_session_stores_no_summary(session: Session) -> None:
    add_messages(session, 2)
    session.summary = "stale"
    session.save()
    assert async_to_sync(rebuild_summary)(session, RecordingProvider(), k=2, budget=BIG) is True
    session.refresh_from_db()
    assert (session.summary, session.summarized_until) == ("", None)


@pytest.mark.django_db(transaction=True)
async def test_it_folds_from_async_code() -> None:
    session = await Session.objects.acreate(session_id="async-mem", user_id=ALICE)
    for i in range(4):
        await Message.objects.acreate(
            session=session,
            user_id=ALICE,
            role="user",
            content=f"turn {i}",
            created_at=T0 + timedelta(seconds=i),
        )
    assert await update_summary(session, RecordingProvider(), k=2, budget=BIG) is True
    await session.arefresh_from_db()
    assert session.summary == "summary of 2 turns"


def test_summarising_is_not_activity_so_updated_at_stays(session: Session) -> None:
    add_messages(session, 6)
    before = Session.objects.get(pk=session.pk).updated_at
    assert update(session, RecordingProvider(), k=2, budget=BIG) is True
    assert Session.objects.get(pk=session.pk).updated_at == before
