"""The built-in model reads the packed context honestly, for every role."""

from __future__ import annotations

import json

import pytest

from agents.critic import CRITIC_PROMPT
from agents.llm.base import ProviderError
from agents.llm.builtin import BuiltinModel
from agents.planner import PLANNER_PROMPT
from agents.schemas import FollowUps, Plan, Verdict
from agents.synthesizer import SUGGESTER_PROMPT, SYNTHESIZER_PROMPT
from agents.worker import WORKER_PROMPT
from memory.summarizer import summary_request
from tests.agents.support import conversation

model = BuiltinModel(token_delay_ms=0)


async def answer(question: str, *turns: tuple[str, str], summary: str = "") -> str:
    """Ask the synthesizer role a question with no findings."""
    request = f"Question: {question}\n\nFindings:\n"
    messages = conversation(SYNTHESIZER_PROMPT, request, *turns, summary=summary)
    return await model.complete(messages)


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
    messages = conversation(PLANNER_PROMPT, "What is AI? How many messages have I sent?")
    plan = await model.structured(messages, Plan)
    assert [s.id for s in plan.subtasks] == [1, 2]
    assert plan.subtasks[0].data_plan[0].tool == "db.find"
    assert plan.subtasks[0].data_plan[0].args["filter"]["sessionId"] == "s1"
    assert plan.subtasks[1].data_plan[0].tool == "db.aggregate"


async def test_it_never_plans_more_than_three_subtasks():
    prompt = "Hi. What is AI? What is ML? What is Python? What is Django?"
    plan = await model.structured(conversation(PLANNER_PROMPT, prompt), Plan)
    assert len(plan.subtasks) == 3


async def test_it_plans_a_note_for_remember_requests():
    plan = await model.structured(conversation(PLANNER_PROMPT, "Remember that I like tea"), Plan)
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
    request = f"Subtask 1: Count\nTool results:\n{json.dumps(results)}"
    finding = await model.complete(conversation(WORKER_PROMPT, request))
    assert finding == "Number of messages by role: user 3."


async def test_the_worker_states_a_failed_tool_call():
    results = [{"tool": "db.find", "args": {}, "ok": False, "error": "unknown collection"}]
    request = f"Subtask 1: Look\nTool results:\n{json.dumps(results)}"
    finding = await model.complete(conversation(WORKER_PROMPT, request))
    assert "failed (unknown collection)" in finding


def review(finding: str, tool_errors: list[str], attempt: int) -> str:
    """A critic request for one subtask."""
    subtask = {"id": 1, "description": "d", "finding": finding, "tool_errors": tool_errors}
    return json.dumps({"question": "q", "subtasks": [{**subtask, "attempt": attempt}]})


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
    messages = [
        {"role": "system", "content": CRITIC_PROMPT},
        {"role": "user", "content": review(finding, errors, attempt)},
    ]
    verdict = await model.structured(messages, Verdict)
    assert verdict.ok is ok
    assert verdict.retry_subtasks == ([] if ok else [1])


async def test_it_suggests_three_distinct_follow_ups_about_the_topic():
    request = "Question: Explain quantum computing\n\nAnswer: Quantum computing uses qubits."
    follow_ups = await model.structured(conversation(SUGGESTER_PROMPT, request), FollowUps)
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
    messages = conversation(SYNTHESIZER_PROMPT, "Question: What is AI?\n\nFindings:\n")
    tokens = [token async for token in model.stream(messages)]
    assert len(tokens) > 5
    assert "".join(tokens) == await model.complete(messages)


async def test_it_is_deterministic():
    messages = conversation(PLANNER_PROMPT, "Explain quantum computing")
    assert await model.structured(messages, Plan) == await model.structured(messages, Plan)


async def test_it_refuses_a_schema_it_cannot_produce():
    with pytest.raises(ProviderError):
        await model.structured(conversation(PLANNER_PROMPT, "hi"), ProviderErrorSchema)


class ProviderErrorSchema(Plan):
    """A schema no role produces."""


async def test_after_a_summary_it_suggests_questions_about_the_user():
    request = "Question: Summarize our conversation\n\nAnswer: You told me your name is Alice."
    follow_ups = await model.structured(conversation(SUGGESTER_PROMPT, request), FollowUps)
    assert "What do you know about me?" in follow_ups.suggestions
