"""The graph: agents in order, the critic's single retry, and each agent on its own."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.graph import END, START, StateGraph

from agents.critic import after_critic, critic
from agents.graph import build_graph
from agents.planner import planner
from agents.schemas import Plan, Verdict
from agents.state import RunContext, State
from agents.streaming import EventStreamingGraph
from agents.synthesizer import synthesizer
from agents.tools.base import ToolContext
from agents.worker import worker
from llm.builtin.provider import BuiltinModel
from telemetry.models import ToolCall
from tests.agents.support import history

pytestmark = pytest.mark.django_db(transaction=True)


def unsaved_graph() -> EventStreamingGraph:
    """The pipeline's graph without a checkpointer: the agents alone, nothing stored."""
    return EventStreamingGraph(build_graph().compile(name="orchestration"))


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
    async for mode, chunk in unsaved_graph().astream(
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


async def alone(node, state: dict, provider=None) -> tuple[list[dict], dict[str, Any]]:
    """Run one agent as a one-node graph from `state`; return its events and the state after."""
    graph = StateGraph(State, context_schema=RunContext)
    graph.add_node("agent", node)
    graph.add_edge(START, "agent")
    graph.add_edge("agent", END)
    provider = provider or BuiltinModel(token_delay_ms=0)
    context = RunContext(provider, ToolContext("alice", "alice-s1"))
    events, final = [], {}
    async for mode, chunk in graph.compile().astream(
        state, context=context, stream_mode=["custom", "values"]
    ):
        if mode == "custom":
            events.append(chunk)
        else:
            final = chunk
    return events, final


def plan_of(*subtasks: dict) -> Plan:
    """A plan of the given subtasks, numbered in order."""
    return Plan.model_validate({"subtasks": list(subtasks)})


async def test_the_planner_works_on_its_own():
    state = {"prompt": "Remember that I like tea", "history": history()}
    events, state = await alone(planner, state)
    assert state["plan"].subtasks[0].data_plan[0].tool == "db.insert"
    assert [e["data"]["status"] for e in events] == ["started", "completed"]
    assert state["timings"]["planner"] >= 0


async def test_the_worker_runs_the_data_plan_and_writes_findings(alice_session):
    find = {"tool": "db.find", "args": {"collection": "messages", "filter": {"role": "user"}}}
    plan = plan_of(
        {"id": 1, "description": "Read what alice said", "data_plan": [find]},
        {"id": 2, "description": "Say hello", "data_plan": []},
    )
    state = {"prompt": "p", "history": history(), "plan": plan}
    events, state = await alone(worker, state)
    assert [e["event"] for e in events][1:3] == ["tool_call_started", "tool_call_completed"]
    assert state["findings"][1]["text"] == 'Found 1 matching messages: "My name is Alice".'
    assert state["findings"][1]["tool_errors"] == []
    assert state["findings"][2]["text"].startswith("No stored data was needed")


async def test_the_critic_sends_empty_findings_back_once_then_lets_go():
    plan = plan_of({"id": 1, "description": "d", "data_plan": []})
    empty = {1: {"subtask_id": 1, "description": "d", "text": "", "tool_errors": [], "attempt": 1}}
    state = {"prompt": "p", "history": history(), "plan": plan, "findings": empty}
    _, first = await alone(critic, state)
    assert (first["send_back"], first["retries"]) == (True, 1)
    assert first["verdict"].retry_subtasks == [1]
    _, second = await alone(critic, {**state, "retries": 1})
    assert (second["send_back"], second["retries"]) == (False, 1)
    assert after_critic(second) == "synthesizer"


async def test_the_synthesizer_streams_the_answer_and_three_suggestions():
    state = {
        "prompt": "What is my name?",
        "history": history(("user", "My name is Alice")),
        "findings": {},
    }
    events, state = await alone(synthesizer, state)
    tokens = [e["data"]["text"] for e in events if e["event"] == "token"]
    assert "".join(tokens) == state["answer"] == "Your name is Alice."
    assert len(state["suggestions"]) == 3
