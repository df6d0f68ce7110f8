"""Context packing: order, budget, summary truncation, and the bounded read of recent turns."""

from __future__ import annotations

from datetime import date

import pytest
from asgiref.sync import sync_to_async

from chat.models import Message, Session
from llm.base import ChatMessage
from llm.requests import SUMMARY_HEADER
from llm.tokens import estimate_message_tokens, estimate_tokens
from memory.context import (
    PackedContext,
    answered_turns,
    pack,
    pack_messages,
    read_recent_turns_with_ids,
    system_meta,
)
from tests.conftest import ALICE, BOB
from tests.memory.history import add_messages

META = "meta"  # 1 token


def turn(text: str, role: str = "user") -> dict[str, str]:
    return {"role": role, "content": text}


def tokens_of(n: int, char: str = "x") -> str:
    """Text of exactly `n` estimated tokens."""
    return char * (4 * n)


# --- pack_messages: pure ------------------------------------------------------------------


def test_it_packs_meta_summary_turns_and_prompt_in_that_order() -> None:
    turns = [turn("hi"), turn("hello", "assistant")]
    packed = pack_messages(meta=META, summary="Alice", turns=turns, prompt="now", budget=1000)
    assert packed.messages == [
        {"role": "system", "content": META},
        {"role": "system", "content": f"{SUMMARY_HEADER}\nAlice"},
        *turns,
        {"role": "user", "content": "now"},
    ]
    assert packed.history == packed.messages[:-1]
    assert (packed.summary, packed.turns, packed.prompt) == ("Alice", turns, "now")
    assert packed.tokens == estimate_message_tokens(packed.messages)
    assert packed.dropped_turns == 0


def test_it_leaves_out_an_empty_summary() -> None:
    packed = pack_messages(meta=META, summary="", turns=[turn("hi")], prompt="now", budget=1000)
    assert [m["content"] for m in packed.messages] == [META, "hi", "now"]


def test_it_drops_the_oldest_turns_first_to_fit_the_budget() -> None:
    turns = [turn(tokens_of(10, c)) for c in "abcd"]
    packed = pack_messages(meta=META, summary="", turns=turns, prompt="now", budget=1 + 25 + 1)
    assert packed.turns == turns[2:]
    assert packed.dropped_turns == 2
    assert packed.tokens == 22 <= 27


def test_it_keeps_a_contiguous_run_of_the_newest_turns() -> None:
    turns = [turn("a"), turn(tokens_of(50)), turn("c")]
    packed = pack_messages(meta=META, summary="", turns=turns, prompt="p", budget=10)
    assert packed.turns == [turn("c")]
    assert packed.dropped_turns == 2


def test_it_drops_turns_before_touching_the_summary() -> None:
    summary = tokens_of(10)
    turns = [turn(tokens_of(10)), turn(tokens_of(10))]
    budget = 1 + estimate_tokens(f"{SUMMARY_HEADER}\n{summary}") + 10 + 1
    packed = pack_messages(meta=META, summary=summary, turns=turns, prompt="p", budget=budget)
    assert packed.summary == summary
    assert packed.turns == turns[1:]
    assert packed.tokens == budget


def test_it_never_drops_the_current_prompt() -> None:
    prompt = tokens_of(50)
    packed = pack_messages(
        meta=META, summary="a summary", turns=[turn("hi")], prompt=prompt, budget=10
    )
    assert packed.messages == [
        {"role": "system", "content": META},
        {"role": "user", "content": prompt},
    ]
    assert (packed.summary, packed.turns, packed.dropped_turns) == ("", [], 1)
    assert packed.tokens == 51 > 10


def test_it_keeps_the_most_recent_part_of_a_summary_that_does_not_fit() -> None:
    summary = "old facts. " * 50 + "The user's name is Alice."
    packed = pack_messages(meta=META, summary=summary, turns=[turn("hi")], prompt="p", budget=30)
    assert packed.summary.startswith("…")
    assert packed.summary.endswith("The user's name is Alice.")
    assert summary.endswith(packed.summary[1:])
    assert packed.messages[1] == {
        "role": "system",
        "content": f"{SUMMARY_HEADER}\n{packed.summary}",
    }
    assert packed.turns == []
    assert packed.tokens == 30


def test_it_drops_the_summary_when_not_even_its_header_fits() -> None:
    packed = pack_messages(meta=META, summary="a summary", turns=[], prompt="p", budget=2)
    assert packed.summary == ""
    assert [m["content"] for m in packed.messages] == [META, "p"]


def test_the_system_meta_names_the_pipeline_session_user_and_date() -> None:
    lines = system_meta("s1", ALICE, date(2025, 3, 4)).splitlines()
    assert lines[0] == (
        "You are a helpful assistant in a multi-agent pipeline "
        "(planner, worker, critic, synthesizer)."
    )
    assert lines[1] == "Session: s1 · User: alice · Date: 2025-03-04"
    assert "summary" in lines[2] and "turns" in lines[2]


# --- the recent turns and pack: with the database ---------------------------------------------


@pytest.fixture
def long_session(db) -> Session:
    """A session of alice's with 30 turns, next to bob's session with its own turns."""
    session = Session.objects.create(session_id="alice-long", user_id=ALICE)
    add_messages(session, 30)
    bob = Session.objects.create(session_id="bob-long", user_id=BOB)
    add_messages(bob, 5, start=100)
    return session


def test_it_reads_the_last_k_turns_oldest_first(long_session: Session) -> None:
    turns = [turn for _, turn in read_recent_turns_with_ids(long_session.session_id, 4)]
    assert turns == [
        {"role": "user", "content": "turn 26"},
        {"role": "assistant", "content": "turn 27"},
        {"role": "user", "content": "turn 28"},
        {"role": "assistant", "content": "turn 29"},
    ]


def test_it_breaks_ties_in_created_at_by_id(db) -> None:
    session = Session.objects.create(session_id="ties", user_id=ALICE)
    first = Message.objects.create(session=session, user_id=ALICE, role="user", content="first")
    Message.objects.create(
        session=session,
        user_id=ALICE,
        role="assistant",
        content="second",
        created_at=first.created_at,
    )
    turns = [turn for _, turn in read_recent_turns_with_ids(session.session_id, 1)]
    assert turns == [{"role": "assistant", "content": "second"}]


def test_it_reads_nothing_for_k_zero(long_session: Session, django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        assert [turn for _, turn in read_recent_turns_with_ids(long_session.session_id, 0)] == []


@pytest.mark.parametrize("history", [4, 300])
def test_reading_the_context_is_two_queries_whatever_the_history_length(
    db, history: int, django_assert_num_queries
) -> None:
    """One query reads the newest turns, one the user's memories (none recalled: no write)."""
    session = Session.objects.create(session_id=f"alice-{history}", user_id=ALICE)
    add_messages(session, history)
    with django_assert_num_queries(2):
        packed = pack(session, "hello", k=10, budget=3000)
    assert len(packed.turns) == min(history, 10)


def test_without_long_term_memory_reading_the_context_is_one_query(
    db, settings, django_assert_num_queries
) -> None:
    settings.MEMORY_ENABLED = False
    session = Session.objects.create(session_id="alice-alone", user_id=ALICE)
    add_messages(session, 4)
    with django_assert_num_queries(1):
        pack(session, "hello", k=10, budget=3000)


def test_pack_builds_the_full_context_for_a_session(long_session: Session) -> None:
    long_session.summary = "The user is Alice."
    packed = pack(long_session, "What is my name?", k=2, budget=3000, today=date(2025, 3, 4))
    assert isinstance(packed, PackedContext)
    assert packed.messages == [
        {"role": "system", "content": system_meta("alice-long", ALICE, date(2025, 3, 4))},
        {"role": "system", "content": f"{SUMMARY_HEADER}\nThe user is Alice."},
        {"role": "user", "content": "turn 28"},
        {"role": "assistant", "content": "turn 29"},
        {"role": "user", "content": "What is my name?"},
    ]


def test_pack_defaults_to_the_settings(long_session: Session, settings) -> None:
    settings.SHORT_TERM_K = 3
    settings.TOKEN_BUDGET = 200
    packed = pack(long_session, "hi")
    assert [t["content"] for t in packed.turns] == ["turn 27", "turn 28", "turn 29"]
    assert "Date: " in packed.messages[0]["content"]


def test_pack_drops_old_turns_under_the_configured_budget(long_session: Session, settings) -> None:
    settings.TOKEN_BUDGET = 200
    meta_tokens = estimate_tokens(system_meta("alice-long", ALICE, date(2025, 3, 4)))
    budget = meta_tokens + 1 + 2 * estimate_tokens("turn 29")
    packed = pack(long_session, "hi", k=10, budget=budget, today=date(2025, 3, 4))
    assert [t["content"] for t in packed.turns] == ["turn 28", "turn 29"]
    assert packed.dropped_turns == 8


@pytest.mark.django_db(transaction=True)
async def test_pack_works_from_async_code() -> None:
    session = await Session.objects.acreate(session_id="async-s", user_id=ALICE)
    await Message.objects.acreate(
        session=session, user_id=ALICE, role="user", content="My name is Alice"
    )
    await Message.objects.acreate(session=session, user_id=ALICE, role="assistant", content="Hi")
    packed = await sync_to_async(pack)(session, "What is my name?", k=10, budget=3000)
    assert packed.turns == [
        {"role": "user", "content": "My name is Alice"},
        {"role": "assistant", "content": "Hi"},
    ]


# --- unanswered turns (a run that failed, was cancelled or interrupted) --------------------


def test_it_leaves_out_user_turns_that_got_no_answer() -> None:
    turns = [
        ChatMessage(role="user", content="cancelled question"),
        ChatMessage(role="user", content="answered question"),
        ChatMessage(role="assistant", content="the answer"),
        ChatMessage(role="user", content="interrupted question"),
    ]
    assert answered_turns(turns) == turns[1:3]


def test_it_keeps_a_history_that_alternates() -> None:
    turns = [
        ChatMessage(role="user", content="q1"),
        ChatMessage(role="assistant", content="a1"),
        ChatMessage(role="user", content="q2"),
        ChatMessage(role="assistant", content="a2"),
    ]
    assert answered_turns(turns) == turns


def test_the_context_skips_an_unanswered_turn_of_the_session(db) -> None:
    session = Session.objects.create(session_id="unanswered", user_id="alice")
    Message.objects.create(session=session, user_id="alice", role="user", content="My name is Al")
    Message.objects.create(session=session, user_id="alice", role="assistant", content="Hi Al")
    Message.objects.create(session=session, user_id="alice", role="user", content="cut off")
    turns = answered_turns([turn for _, turn in read_recent_turns_with_ids(session.session_id, 10)])
    assert [t["content"] for t in turns] == ["My name is Al", "Hi Al"]
