"""Each agent's request renders as messages and reads back as the same request."""

from __future__ import annotations

from datetime import date

import pytest

from llm.requests import (
    CRITIC_PROMPT,
    CriticRequest,
    FactsRequest,
    FollowUpsRequest,
    PlannerRequest,
    SummaryRequest,
    SynthesizerRequest,
    UnknownRequest,
    WorkerRequest,
    parse,
    read_history,
    render,
    summary_message,
    system_meta,
)

HISTORY = [
    {"role": "system", "content": system_meta("s-42", "alice", date(2026, 1, 2))},
    summary_message("Facts the user stated: name = Alice."),
    {"role": "user", "content": "I live in Paris"},
    {"role": "assistant", "content": "Noted."},
]
REQUESTS = [
    PlannerRequest(history=HISTORY, prompt="What is AI?\nAnd ML?"),
    WorkerRequest(
        history=HISTORY,
        subtask_id=2,
        description="Count: messages",
        results=[{"tool": "db.find", "ok": True, "result": {"count": 1}}],
        issues=["Subtask 2 has an empty finding."],
    ),
    WorkerRequest(subtask_id=1, description="Greet", results=[]),
    CriticRequest(question="q", subtasks=[{"id": 1, "finding": "f", "attempt": 1}]),
    SynthesizerRequest(history=HISTORY, question="Where?", findings=["One.", "Two\nlines."]),
    SynthesizerRequest(question="Nothing found?"),
    FollowUpsRequest(history=HISTORY, question="What is AI?", answer="AI is..."),
    FactsRequest(text="My sister lives in Oslo.\nI like tea."),
    SummaryRequest(summary="", turns=[{"role": "user", "content": "hi"}]),
    SummaryRequest(
        summary="Before.",
        turns=[{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}],
    ),
]


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: type(r).__name__)
def test_parse_reads_back_what_render_wrote(request_):
    assert parse(render(request_)) == request_


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: type(r).__name__)
def test_every_request_names_its_role(request_):
    assert request_.role in {"planner", "worker", "critic", "synthesizer", "summariser"}


def test_the_follow_ups_are_the_synthesizers_second_call():
    assert FollowUpsRequest(question="q", answer="a").role == "synthesizer"


def test_parse_skips_system_messages_a_provider_adds():
    messages = render(CriticRequest(question="q"))
    messages.insert(1, {"role": "system", "content": "Reply with one JSON object."})
    assert parse(messages) == CriticRequest(question="q")


def test_parse_refuses_messages_that_are_no_known_request():
    with pytest.raises(UnknownRequest):
        parse([{"role": "system", "content": "You are terse."}, {"role": "user", "content": "x"}])
    with pytest.raises(UnknownRequest):
        parse([{"role": "user", "content": "x"}])


def test_the_history_tells_the_session_the_summary_and_the_users_turns():
    conversation = read_history(HISTORY)
    assert conversation.session_id == "s-42"
    assert conversation.summary == "Facts the user stated: name = Alice."
    assert conversation.user_turns == ["I live in Paris"]


def test_the_instructions_open_the_messages():
    assert render(CriticRequest(question="q"))[0] == {"role": "system", "content": CRITIC_PROMPT}
