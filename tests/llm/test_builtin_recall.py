"""The built-in model recalls what users state about themselves, from turns or the summary."""

from __future__ import annotations

from datetime import date

import pytest

from llm.builtin.memory import says_about_its_user, summarise, told
from llm.builtin.provider import BuiltinModel
from llm.requests import (
    SynthesizerRequest,
    memories_message,
    parse,
    read_history,
    render,
    summary_message,
    system_meta,
)
from tests.llm.recall_table import (
    ALL_RECALL_PAIRS,
    NOT_FROM_THE_USER,
    RECALL_TABLE,
    RETRIEVAL_TABLE,
)

model = BuiltinModel()
META = {"role": "system", "content": system_meta("s1", "alice", date(2026, 1, 1))}
IDS = [
    f"{question} after {' / '.join(said) or 'nothing'}" for said, question, _ in ALL_RECALL_PAIRS
]


def turns_of(statements: tuple[str, ...]) -> list[dict]:
    """Each statement as a user turn followed by a short assistant reply."""
    turns = []
    for statement in statements:
        turns += [{"role": "user", "content": statement}, {"role": "assistant", "content": "OK."}]
    return turns


async def ask(question: str, history: list[dict]) -> str:
    """The synthesizer's answer to `question` with no findings."""
    return await model.complete(SynthesizerRequest(history=history, question=question))


def test_the_tables_have_at_least_forty_and_a_hundred_fresh_pairs():
    assert len(RECALL_TABLE) >= 40
    assert len(RETRIEVAL_TABLE) >= 100


@pytest.mark.parametrize(("statements", "question"), NOT_FROM_THE_USER)
async def test_a_question_about_the_world_is_not_answered_from_the_users_statements(
    statements, question
):
    answer = await ask(question, [META, *turns_of(statements)])
    assert not answer.startswith(("You ", "Your ")), answer
    for statement in statements:
        assert statement.lower() not in answer.lower()


@pytest.mark.parametrize(("statements", "question", "expected"), ALL_RECALL_PAIRS, ids=IDS)
async def test_it_answers_from_facts_in_the_recent_turns(statements, question, expected):
    assert await ask(question, [META, *turns_of(statements)]) == expected


@pytest.mark.parametrize(("statements", "question", "expected"), ALL_RECALL_PAIRS, ids=IDS)
async def test_it_answers_from_facts_only_in_the_summary(statements, question, expected):
    summary = ""
    for statement in statements:  # one fold per turn, as the summariser runs after each answer
        summary = summarise(summary, [("user", statement), ("assistant", "OK.")])
    history = [META, summary_message(summary)] if statements else [META]
    assert await ask(question, history) == expected


@pytest.mark.parametrize(
    ("statement", "acknowledgement"),
    [
        ("I'm Sam", "Nice to meet you, Sam! I'll remember that."),
        ("I have two cats", "Got it: you have two cats."),
        (
            "I live in Leeds, but I work in Manchester",
            "Got it: you live in Leeds; you work in Manchester.",
        ),
        ("My favourite colour is green", "Got it: your favorite color is green."),
    ],
)
async def test_it_acknowledges_what_it_is_told(statement, acknowledgement):
    assert await ask(statement, [META]) == acknowledgement


@pytest.mark.parametrize(
    ("statement", "acknowledgement"),
    [
        ("I play the cello at weekends.", "Got it: you play the cello at weekends."),
        ("I'm allergic to peanuts", "Got it: you're allergic to peanuts."),
        (
            "I teach art, but my husband teaches music",
            "Got it: you teach art; your husband teaches music.",
        ),
        ("Actually, I play the viola, not the cello", "Got it: you play the viola."),
    ],
)
async def test_a_statement_of_another_shape_is_acknowledged_in_the_second_person(
    statement, acknowledgement
):
    assert await ask(statement, [META]) == acknowledgement


async def test_a_question_of_the_users_is_not_taken_for_a_possession():
    answer = await ask("I have a question about Python", [META])
    assert not answer.startswith("Got it")


@pytest.mark.parametrize(("said", "question", "expected"), ALL_RECALL_PAIRS[:40], ids=IDS[:40])
async def test_what_was_said_in_earlier_conversations_is_recalled_as_from_this_one(
    said, question, expected
):
    """The same table, the statements carried by the memories message instead of turns."""
    history = [META, memories_message(said)] if said else [META]
    answer = await ask(question, history)
    assert expected.lower() in answer.lower(), answer


async def test_a_request_to_remember_is_recalled_as_the_statement_not_the_request():
    history = [META, *turns_of(("Remember that my sister lives in Oslo.",))]
    assert await ask("Where does my sister live?", history) == "Your sister lives in Oslo."


async def test_asked_what_it_knows_it_lists_facts_and_other_statements():
    history = [META, memories_message(["My favourite colour is teal.", "My sister lives in Oslo."])]
    answer = await ask("What do you remember about me?", history)
    assert answer == (
        "Here is what you told me: your favorite color is teal; your sister lives in Oslo."
    )


def test_the_memories_message_survives_rendering_and_parsing():
    history = [META, memories_message(["My sister lives in Oslo."])]
    request = SynthesizerRequest(history=history, question="Where does my sister live?")
    assert parse(render(request)) == request
    assert read_history(history).memories == ["My sister lives in Oslo."]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("My favourite colour is teal.", True),
        ("Remember that my sister lives in Oslo.", True),
        ("I have two cats.", True),
        ("What is my favourite colour?", False),
        ("How many sessions do I have?", False),
    ],
)
def test_only_a_message_with_a_first_person_statement_is_read_for_facts(text, says):
    assert says_about_its_user(text) is says
    assert bool(told(text)) is says
