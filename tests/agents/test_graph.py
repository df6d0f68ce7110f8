"""The graph: agents in order, the critic's single retry, and each agent on its own."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.graph import END, START, StateGraph

from agents.graph import compiled_graph
from agents.llm.builtin import BuiltinModel
from agents.planner import planner
from agents.schemas import Plan, Verdict
from agents.state import InputState, RunContext, State
from agents.tools.base import ToolContext
from telemetry.models import ToolCall
from tests.agents.support import history

pytestmark = pytest.mark.django_db(transaction=True)


class StrictCritic(BuiltinModel):
    """The built-in model, but its critic rejects the first `rejections` reviews."""

    def __init__(self, rejections: int) -> None:
        super().__init__(token_delay_ms=0)
        self.rejections = rejections
        self.reviews = 0

    async def structured(self, messages, schema):
        if schema is Verdict:
            self.reviews += 1
            if self.reviews <= self.rejections:
                return Verdict(ok=False, issues=["not convincing"], retry_subtasks=[1])
        return await super().structured(messages, schema)


class ForbiddenPlanner(BuiltinModel):
    """The built-in model, but its planner asks for a collection that is not allow-listed."""

    async def structured(self, messages, schema):
        if schema is Plan:
            return Plan.model_validate(
                {
                    "subtasks": [
                        {
                            "id": 1,
                            "description": "Read the users table",
                            "data_plan": [{"tool": "db.find", "args": {"collection": "users"}}],
                        }
                    ]
                }
            )
        return await super().structured(messages, schema)


async def run(prompt: str, provider, *turns: tuple[str, str]) -> tuple[list[dict], dict[str, Any]]:
    """Run the compiled graph; return its custom events and the final state."""
    context = RunContext(provider, ToolContext(user_id="alice", session_id="alice-s1"))
    events, state = [], {}
    async for mode, chunk in compiled_graph().astream(
        {"prompt": prompt, "history": history(*turns, session_id="alice-s1")},
        context=context,
        stream_mode=["custom", "values"],
    ):
        if mode == "custom":
            events.append(chunk)
        else:
            state = chunk
    return events, state


def started(events: list[dict]) -> list[str]:
    """The agents in the order they started."""
    return [
        e["data"]["name"]
        for e in events
        if e["event"] == "agent" and e["data"]["status"] == "started"
    ]


async def test_the_agents_run_in_order_and_the_answer_streams(alice_session):
    events, state = await run("What is AI?", BuiltinModel(token_delay_ms=0))
    assert started(events) == ["planner", "worker", "critic", "synthesizer"]
    tokens = "".join(e["data"]["text"] for e in events if e["event"] == "token")
    assert tokens == state["answer"]
    assert len(state["suggestions"]) == 3
    assert set(state["timings"]) == {"planner", "worker", "critic", "synthesizer"}


async def test_a_rejected_review_sends_the_work_back_exactly_once(alice_session):
    provider = StrictCritic(rejections=1)
    events, state = await run("What is AI?", provider)
    assert started(events) == ["planner", "worker", "critic", "worker", "critic", "synthesizer"]
    assert state["retries"] == 1
    assert state["findings"][1]["attempt"] == 2


async def test_a_critic_that_never_approves_still_ends_in_the_synthesizer(alice_session):
    provider = StrictCritic(rejections=99)
    events, state = await run("What is AI?", provider)
    assert started(events).count("worker") == 2
    assert started(events)[-1] == "synthesizer"
    assert provider.reviews == 2
    assert state["verdict"].ok is False
    assert state["answer"]


async def test_a_refused_tool_call_is_retried_once_then_answered_around(alice_session):
    events, state = await run("Who uses this?", ForbiddenPlanner(token_delay_ms=0))
    completed = [e["data"] for e in events if e["event"] == "tool_call_completed"]
    assert len(completed) == 2 and not any(c["ok"] for c in completed)
    assert completed[0]["error"].startswith("collection 'users' is not available")
    assert started(events) == ["planner", "worker", "critic", "worker", "critic", "synthesizer"]
    assert state["verdict"].ok is True


async def test_tool_calls_are_streamed_with_their_latency(alice_session):
    events, _ = await run(
        "What is my name?", BuiltinModel(token_delay_ms=0), ("user", "My name is Alice")
    )
    kinds = [e["event"] for e in events]
    assert kinds.index("tool_call_started") < kinds.index("tool_call_completed")
    completed = next(e["data"] for e in events if e["event"] == "tool_call_completed")
    assert completed["tool"] == "db.find" and completed["ok"] is True
    assert completed["latencyMs"] >= 0
    assert await ToolCall.objects.acount() == 0, "the graph streams tool calls; the run stores them"


async def test_the_planner_works_on_its_own():
    graph = StateGraph(State, input_schema=InputState, context_schema=RunContext)
    graph.add_node("planner", planner)
    graph.add_edge(START, "planner")
    graph.add_edge("planner", END)
    context = RunContext(BuiltinModel(token_delay_ms=0), ToolContext("alice", "alice-s1"))
    state = await graph.compile().ainvoke(
        {"prompt": "Remember that I like tea", "history": history()}, context=context
    )
    assert state["plan"].subtasks[0].data_plan[0].tool == "db.insert"
    assert state["timings"]["planner"] >= 0
