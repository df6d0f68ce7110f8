"""The built-in model reads the packed context honestly, for every role."""

from __future__ import annotations

import pytest

from agents.schemas import FollowUps, Plan, Verdict
from llm.base import ProviderError
from llm.builtin.provider import BuiltinModel
from llm.requests import (
    CriticRequest,
    FollowUpsRequest,
    PlannerRequest,
    SynthesizerRequest,
    WorkerRequest,
)
from memory.summarizer import summary_request
from tests.agents.support import history

model = BuiltinModel(token_delay_ms=0)


async def answer(question: str, *turns: tuple[str, str], summary: str = "") -> str:
    """Ask the synthesizer role a question with no findings."""
    request = SynthesizerRequest(history=history(*turns, summary=summary), question=question)
    return await model.complete(request)


def planner(prompt: str) -> PlannerRequest:
    """A planner request in session s1 with no earlier turns."""
    return PlannerRequest(history=history(), prompt=prompt)


def follow_ups_to(question: str, answer: str) -> FollowUpsRequest:
    """A follow-ups request with no earlier turns."""
    return FollowUpsRequest(history=history(), question=question, answer=answer)


async def test_it_recalls_a_name_from_an_earlier_turn():
    said = ("user", "My name is Alice"), ("assistant", "Nice to meet you, Alice!")
    assert await answer("What is my name?", *said) == "Your name is Alice."


async def test_it_recalls_a_colour_from_an_earlier_turn():
    said = ("user", "My favorite color is blue"), ("assistant", "Got it.")
    assert "blue" in await answer("What color did I say?", *said)


async def test_it_recalls_from_the_summary_when_the_turn_has_left_the_window():
    summary = "Facts the user stated: name = Alice; favorite color = blue."
    assert await answer("What is my name?", summary=summary) == "Your name is Alice."


async def test_it_does_not_invent_a_name_it_was_never_told():
    text = await answer("What is my name?", ("user", "What is AI?"))
    assert text == "You haven't told me your name yet."


async def test_it_answers_from_what_each_conversation_says():
    alice = await answer("What is my name?", ("user", "My name is Alice"))
    bob = await answer("What is my name?", ("user", "My name is Bob"))
    assert "Alice" in alice and "Bob" in bob


async def test_it_plans_one_subtask_per_clause_with_a_data_plan():
    messages = planner("What is AI? How many messages have I sent?")
    plan = await model.structured(messages, Plan)
    assert [s.id for s in plan.subtasks] == [1, 2]
    assert plan.subtasks[0].data_plan[0].tool == "db.find"
    assert plan.subtasks[0].data_plan[0].args["filter"]["sessionId"] == "s1"
    assert plan.subtasks[1].data_plan[0].tool == "db.aggregate"


async def test_it_never_plans_more_than_three_subtasks():
    prompt = "Hi. What is AI? What is ML? What is Python? What is Django?"
    plan = await model.structured(planner(prompt), Plan)
    assert len(plan.subtasks) == 3


async def test_it_plans_a_note_for_remember_requests():
    plan = await model.structured(planner("Remember that I like tea"), Plan)
    request = plan.subtasks[0].data_plan[0]
    assert request.tool == "db.insert"
    assert request.args["document"]["content"] == "I like tea"


async def test_the_worker_describes_its_tool_results():
    results = [
        {
            "tool": "db.aggregate",
            "args": {"collection": "messages", "group_by": "role", "op": "count"},
            "ok": True,
            "result": {"groups": [{"key": "user", "value": 3}]},
        }
    ]
    request = WorkerRequest(subtask_id=1, description="Count", results=results)
    finding = await model.complete(request)
    assert finding == "Number of messages by role: user 3."


async def test_the_worker_states_a_failed_tool_call():
    results = [{"tool": "db.find", "args": {}, "ok": False, "error": "unknown collection"}]
    request = WorkerRequest(subtask_id=1, description="Look", results=results)
    finding = await model.complete(request)
    assert "failed (unknown collection)" in finding


def review(finding: str, tool_errors: list[str], attempt: int) -> CriticRequest:
    """A critic request for one subtask."""
    subtask = {"id": 1, "description": "d", "finding": finding, "tool_errors": tool_errors}
    return CriticRequest(question="q", subtasks=[{**subtask, "attempt": attempt}])


@pytest.mark.parametrize(
    ("finding", "errors", "attempt", "ok"),
    [
        ("Found it.", [], 1, True),
        ("", [], 1, False),
        ("It failed.", ["db.find: refused"], 1, False),
        ("It failed; answered from the conversation.", ["db.find: refused"], 2, True),
    ],
    ids=["good", "empty", "tool-error-first-pass", "tool-error-after-retry"],
)
async def test_the_critic_judges_findings(finding, errors, attempt, ok):
    verdict = await model.structured(review(finding, errors, attempt), Verdict)
    assert verdict.ok is ok
    assert verdict.retry_subtasks == ([] if ok else [1])


async def test_it_suggests_three_distinct_follow_ups_about_the_topic():
    request = follow_ups_to("Explain quantum computing", "Quantum computing uses qubits.")
    follow_ups = await model.structured(request, FollowUps)
    assert len(set(follow_ups.suggestions)) == 3
    assert all("quantum computing" in s for s in follow_ups.suggestions)


async def test_it_summarises_incrementally_keeping_the_facts():
    first = await model.complete(
        summary_request("", [{"role": "user", "content": "My name is Alice"}])
    )
    second = await model.complete(
        summary_request(first, [{"role": "user", "content": "My favorite color is blue"}])
    )
    assert "name = Alice" in second and "favorite color = blue" in second


async def test_a_summary_request_lists_the_questions_asked():
    turns = ("user", "My name is Alice"), ("user", "What is AI?")
    text = await answer("Summarize our conversation", *turns)
    assert "your name is Alice" in text and "What is AI?" in text


async def test_streamed_tokens_join_to_the_whole_answer():
    messages = SynthesizerRequest(history=history(), question="What is AI?")
    tokens = [token async for token in model.stream(messages)]
    assert len(tokens) > 5
    assert "".join(tokens) == await model.complete(messages)


async def test_it_is_deterministic():
    messages = planner("Explain quantum computing")
    assert await model.structured(messages, Plan) == await model.structured(messages, Plan)


async def test_it_refuses_structured_output_for_a_request_that_writes_text():
    with pytest.raises(ProviderError, match="cannot produce Plan for a WorkerRequest"):
        await model.structured(WorkerRequest(subtask_id=1, description="d"), Plan)


async def test_after_a_summary_it_suggests_questions_about_the_user():
    request = follow_ups_to("Summarize our conversation", "You told me your name is Alice.")
    follow_ups = await model.structured(request, FollowUps)
    assert "What do you know about me?" in follow_ups.suggestions


@pytest.mark.parametrize(
    "question",
    ["y" * 16_000, "What is " + "y" * 15_992, "Tell me about " + "antidisestablishment" * 800],
)
async def test_its_suggestions_fit_their_bound_whatever_the_prompt(question):
    follow_ups = await BuiltinModel().structured(follow_ups_to(question, "An answer."), FollowUps)
    assert follow_ups.clamped == []
    assert all(len(suggestion) <= 200 for suggestion in follow_ups.suggestions)
