"""A hostile model cannot cross the tools' boundary nor stall the server (docs/security.md).

daphne talks to a loopback OpenAI-compatible stand-in that answers the planner with hostile
plans and the synthesizer with answers that never end or never stop growing. Whatever it
returns, every stream ends with an answer or a clear `error` event, bob's data never shows,
and the server keeps answering other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from harness.live_server import live_server
from tests.support.fake_openai import FakeOpenAI, Reply, Text, Trickle, pipeline_responder
from tests.support.runs import api, body, chat

Plan = list[dict[str, Any]]
CATASTROPHIC = ["(a+)+$", "((a+))+$", "(a|aa)+$", "a*a*a*a*a*a*a*a*a*b", "(.*a){25}$"]
LONG_MESSAGE = "a" * 64 + "!"


class Hostile:
    """Answers like a model, except for what a test makes hostile: the plan or the answer."""

    def __init__(self) -> None:
        self.plan: Plan | None = None
        self.answer: Reply | None = None
        self.verdict: dict[str, Any] | None = None
        self.follow_ups: Reply | None = None

    def __call__(self, request: dict[str, Any]) -> Reply:
        asks_for = "\n".join(str(m.get("content", "")) for m in request.get("messages", []))
        if self.verdict is not None and '"title": "Verdict"' in asks_for:
            return Text(json.dumps(self.verdict))
        if self.follow_ups is not None and '"title": "FollowUps"' in asks_for:
            return self.follow_ups
        if self.plan is not None and '"title": "Plan"' in asks_for:
            subtasks = [
                {"id": n, "description": f"step {n}", "data_plan": steps}
                for n, steps in enumerate(self.plan, start=1)
            ]
            return Text(json.dumps({"subtasks": subtasks}))
        if self.answer is not None and request.get("stream"):
            return self.answer
        return pipeline_responder(request)


@pytest.fixture(scope="module")
def model() -> Hostile:
    """The stand-in's behaviour, set per test."""
    return Hostile()


@pytest.fixture
def hostile(model: Hostile) -> Callable[..., None]:
    """Set what the model does in this test; it answers normally again afterwards."""

    def make(
        *,
        plan: Plan | None = None,
        answer: Reply | None = None,
        verdict: dict[str, Any] | None = None,
        follow_ups: Reply | None = None,
    ) -> None:
        model.plan, model.answer = plan, answer
        model.verdict, model.follow_ups = verdict, follow_ups

    yield make
    model.plan = model.answer = model.verdict = model.follow_ups = None


@pytest.fixture(scope="module")
def server(tmp_path_factory, template_db, model):
    """A daphne whose model is the hostile stand-in, with tight bounds on calls and runs."""
    with FakeOpenAI(model) as fake:
        with live_server(
            tmp_path_factory.mktemp("hostile"),
            template_db=template_db,
            LLM_PROVIDER="openai",
            OPENAI_BASE_URL=fake.base_url,
            OPENAI_API_KEY="sk-test-key",
            OPENAI_MAX_RETRIES="0",
            LLM_CALL_MAX_SECONDS="2",
            LLM_OUTPUT_MAX_CHARS="20000",
        ) as running:
            yield running


def new_session() -> str:
    """A session id no other test uses."""
    return f"hostile-{uuid.uuid4().hex[:8]}"


async def healthy_while(url: str, work: asyncio.Task) -> int:
    """Ask /health repeatedly while `work` runs; return how many answers came back 200."""
    answered = 0
    async with httpx.AsyncClient(timeout=10) as client:
        while not work.done():
            response = await client.get(f"{url}/health")
            answered += response.status_code == 200
            await asyncio.sleep(0.05)
    return answered


async def test_catastrophic_regexes_over_the_users_messages_never_stall_the_server(server, hostile):
    session = new_session()
    await chat(server.url, body(session, LONG_MESSAGE))
    bob = body(new_session(), "bob's secret: " + LONG_MESSAGE)
    await chat(server.url, {**bob, "userId": "bob"})
    steps = [
        {
            "tool": "db.find",
            "args": {"collection": "messages", "filter": {"content": {"$regex": p}}},
        }
        for p in CATASTROPHIC
    ]
    hostile(plan=[steps[:3], steps[3:]])
    run = asyncio.create_task(chat(server.url, body(session, "Search my messages")))
    assert await healthy_while(server.url, run) >= 1
    events = run.result()
    assert events[-1].event == "done"
    completed = [e.data for e in events if e.event == "tool_call_completed"]
    assert len(completed) == len(CATASTROPHIC) and all(c["ok"] for c in completed)
    assert "bob" not in json.dumps([e.data for e in events])


async def test_a_backreference_is_refused_as_a_tool_error(server, hostile):
    regex = {"collection": "messages", "filter": {"content": {"$regex": "(a)\\1"}}}
    hostile(plan=[[{"tool": "db.find", "args": regex}]])
    events = await chat(server.url, body(new_session(), "Search"))
    (completed,) = [e.data for e in events if e.event == "tool_call_completed"]
    assert completed["ok"] is False
    assert events[-1].event == "done"


async def test_oversized_tool_arguments_are_refused_and_echoed_bounded(server, hostile):
    session = new_session()
    # 1,000 keys: within the model's output bound (20,000 characters), past the tools'.
    huge = {"collection": "messages", "filter": {f"k{n}": n for n in range(1000)}}
    hostile(plan=[[{"tool": "db.find", "args": huge}]])
    events = await chat(server.url, body(session, "Search"))
    (started,) = [e.data for e in events if e.event == "tool_call_started"]
    assert len(json.dumps(started["args"])) < 5000, "the event carries a bounded rendering"
    (completed,) = [e.data for e in events if e.event == "tool_call_completed"]
    assert completed["ok"] is False
    assert events[-1].event == "done"
    metrics = api("GET", server.url, f"/v1/metrics/{session}/runs").json()["runs"]
    assert metrics[-1]["toolCallCount"] == 1


async def test_an_answer_that_never_ends_is_cut_at_the_calls_bound_and_frees_the_session(
    server, hostile
):
    session = new_session()
    hostile(answer=Trickle(["tok "] * 10_000, seconds=0.05))
    events = await chat(server.url, body(session))
    assert (events[-1].event, events[-1].data["code"]) == ("error", "provider_error")
    assert "took longer than 2s" in events[-1].data["message"]
    hostile()
    again = await chat(server.url, body(session, multitaskStrategy="reject"))
    assert again[-1].event == "done", "the session is free again"


async def test_an_answer_past_the_size_bound_is_an_error_and_is_not_stored(server, hostile):
    session = new_session()
    hostile(answer=Text(["x" * 5000] * 10))
    events = await chat(server.url, body(session))
    assert (events[-1].event, events[-1].data["code"]) == ("error", "provider_error")
    assert "more than 20000 characters" in events[-1].data["message"]
    messages = api("GET", server.url, f"/v1/sessions/{session}/messages").json()["messages"]
    assert [m["role"] for m in messages] == ["user"]


def degraded(url: str, agent: str, what: str) -> float:
    """The server's `chat_degraded_total` for `agent` and `what` (0 before the first)."""
    text = httpx.get(f"{url}/metrics", timeout=10).text
    label = f'chat_degraded_total{{agent="{agent}",what="{what}"}} '
    lines = [line for line in text.splitlines() if line.startswith(label)]
    return float(lines[0].split()[-1]) if lines else 0.0


async def test_a_verdict_with_too_many_retries_is_clamped_and_the_run_answers(server, hostile):
    before = degraded(server.url, "critic", "clamped")
    hostile(
        verdict={"ok": False, "issues": ["thin"] * 14, "retry_subtasks": [1, 1, 1, 1, 1], "why": 1}
    )
    events = await chat(server.url, body(new_session(), "What is AI?"))
    assert events[-1].event == "done"
    (verdict,) = [
        e.data["output"]["verdict"]
        for e in events
        if e.event == "agent" and "output" in e.data and "verdict" in e.data["output"]
    ][:1]
    assert verdict["retrySubtasks"] == [1, 1, 1] and len(verdict["issues"]) == 10
    # The verdict fails, so the worker retries once and the critic judges (and is clamped) again.
    assert degraded(server.url, "critic", "clamped") == before + 2


async def test_a_verdict_of_the_wrong_type_still_fails_the_run(server, hostile):
    hostile(verdict={"ok": "perhaps", "retry_subtasks": ["all of them"]})
    events = await chat(server.url, body(new_session(), "What is AI?"))
    assert (events[-1].event, events[-1].data["code"]) == ("error", "provider_error")
    assert "Verdict" in events[-1].data["message"]


@pytest.mark.parametrize(
    "reply",
    [Text("not JSON at all"), Text(json.dumps({"suggestions": ["only one"]}))],
    ids=["not-json", "too-few"],
)
async def test_follow_ups_that_fail_leave_the_answer_stored_and_the_run_done(
    server, hostile, reply
):
    session = new_session()
    before = degraded(server.url, "synthesizer", "follow_ups")
    hostile(follow_ups=reply)
    events = await chat(server.url, body(session, "What is AI?"))
    assert events[-1].event == "done"
    assert events[-1].data["suggestions"] == []
    answer = "".join(e.data["text"] for e in events if e.event == "token")
    assert events[-1].data["fullText"] == answer
    messages = api("GET", server.url, f"/v1/sessions/{session}/messages").json()["messages"]
    assert [(m["role"], m["content"]) for m in messages][-1] == ("assistant", answer)
    assert degraded(server.url, "synthesizer", "follow_ups") == before + 1


async def test_more_than_three_follow_ups_keep_the_first_three_distinct(server, hostile):
    offered = ["Why?", "why?", "How?", "", "When?", "Where?"]
    hostile(follow_ups=Text(json.dumps({"suggestions": offered})))
    events = await chat(server.url, body(new_session(), "What is AI?"))
    assert events[-1].data["suggestions"] == ["Why?", "How?", "When?"]
