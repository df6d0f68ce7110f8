"""A young session's summary check needs no query: it agrees with the stored-message check."""

from __future__ import annotations

from datetime import date

import pytest
from asgiref.sync import async_to_sync

from chat.models import Message, Session
from llm.base import ChatMessage
from llm.requests import system_meta
from llm.tokens import estimate_tokens
from memory.context import pack
from memory.summarizer import nothing_outside_window, turns_outside_window
from tests.conftest import ALICE
from tests.memory.history import add_messages

BIG = 1_000_000


@pytest.fixture
def session(db) -> Session:
    """An empty session of alice's."""
    return Session.objects.create(session_id="alice-skip", user_id=ALICE)


def store(session: Session, count: int, *, size: int = 0) -> list[ChatMessage]:
    """Store `count` turns one second apart; return them as turns, oldest first."""
    rows = add_messages(session, count, size=size)
    return [ChatMessage(role=row.role, content=row.content) for row in rows]


def outside(session: Session, *, k: int, budget: int) -> list[Message]:
    return async_to_sync(turns_outside_window)(session, k=k, budget=budget)


@pytest.mark.parametrize("count", [0, 1, 3, 4])
def test_with_at_most_k_messages_in_budget_nothing_is_outside(session, count) -> None:
    turns = store(session, count)
    assert nothing_outside_window(session, turns, k=4, budget=BIG)
    assert outside(session, k=4, budget=BIG) == []


def test_more_than_k_messages_are_left_to_the_stored_check(session) -> None:
    turns = store(session, 5)
    assert not nothing_outside_window(session, turns, k=4, budget=BIG)
    assert len(outside(session, k=4, budget=BIG)) == 1


def test_turns_the_budget_would_drop_are_left_to_the_stored_check(session) -> None:
    turns = store(session, 4, size=400)  # 100 tokens each
    budget = estimate_tokens(system_meta(session.session_id, ALICE, date.today())) + 250
    assert not nothing_outside_window(session, turns, k=4, budget=budget)
    assert len(outside(session, k=4, budget=budget)) == 2


def test_packing_reports_whether_it_read_the_whole_session(session, settings) -> None:
    settings.SHORT_TERM_K = 4
    store(session, 3)
    packed = pack(session, "next")
    assert packed.whole_session and len(packed.window) == 3
    Message.objects.create(session=session, user_id=ALICE, role="user", content="late")
    packed = pack(session, "next")
    assert not packed.whole_session and len(packed.window) == 4  # K read: more may exist
