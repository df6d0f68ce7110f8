"""The four-agent LangGraph: planner → worker ⇄ critic (one retry) → synthesizer."""

from __future__ import annotations

from functools import cache

from langgraph.graph import END, START, StateGraph

from agents.critic import after_critic, critic
from agents.planner import planner
from agents.schemas import Plan, Verdict
from agents.state import InputState, RunContext, State
from agents.streaming import EventStreamingGraph
from agents.synthesizer import synthesizer
from agents.worker import worker
from checkpoints.saver import DjangoSaver

AGENTS = ("planner", "worker", "critic", "synthesizer")
"""The graph's nodes in their order: what a run may pause before or after."""


def build_graph() -> StateGraph:
    """Wire the agents; `compiled_graph()` compiles it once."""
    graph = StateGraph(State, input_schema=InputState, context_schema=RunContext)
    graph.add_node("planner", planner)
    graph.add_node("worker", worker)
    graph.add_node("critic", critic)
    graph.add_node("synthesizer", synthesizer)
    graph.add_edge(START, "planner")
    graph.add_edge("planner", "worker")
    graph.add_edge("worker", "critic")
    graph.add_conditional_edges("critic", after_critic, ["worker", "synthesizer"])
    graph.add_edge("synthesizer", END)
    return graph


@cache
def compiled_graph() -> EventStreamingGraph:
    """Compile the graph on first use and reuse it for every run (events on the same loop).

    It checkpoints through the ORM (checkpoints.saver): a thread is a chat session, and the
    state's pydantic models are the only classes a checkpoint revives.
    """
    compiled = build_graph().compile(
        name="orchestration", checkpointer=DjangoSaver(allowed=(Plan, Verdict))
    )
    return EventStreamingGraph(compiled)
