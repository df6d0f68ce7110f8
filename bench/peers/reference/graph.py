"""The peers' reference graph: four nodes shaped like this service's pipeline, no model.

Planner, Worker, Critic and Synthesizer run in a line; the Synthesizer streams an answer of
`PEER_ANSWER_TOKENS` tokens (default 32) through a chat model, so that LangGraph's
`messages-tuple` mode sends one event per token, as it does for this service's answer. The
model is LangChain's `GenericFakeChatModel`: no network, no sleeping, the server's own cost.
`langgraph dev` serves it (bench/peers/langgraph.json); the service's own tests import it too.
"""

from __future__ import annotations

import os
from typing import Annotated, Any, TypedDict

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages

ANSWER_TOKENS = int(os.environ.get("PEER_ANSWER_TOKENS", "32"))


class State(TypedDict, total=False):
    """The graph's state: the conversation, the plan, what the worker found, the verdict."""

    messages: Annotated[list, add_messages]
    plan: dict[str, Any]
    findings: list[str]
    verdict: str


def answer_text(tokens: int) -> str:
    """An answer the fake model streams as exactly `tokens` chunks (words and spaces alternate)."""
    words = (tokens + 1) // 2
    text = " ".join(f"word{n}" for n in range(words))
    return text if tokens % 2 else text + " "


def planner(state: State) -> dict[str, Any]:
    """One subtask: the question."""
    question = state["messages"][-1].content
    return {"plan": {"subtasks": [{"id": 1, "description": f"answer: {question}"}]}}


def worker(state: State) -> dict[str, Any]:
    """A finding per subtask."""
    return {"findings": [task["description"] for task in state["plan"]["subtasks"]]}


def critic(state: State) -> dict[str, Any]:
    """Pass when there are findings."""
    return {"verdict": "pass" if state.get("findings") else "retry"}


async def synthesizer(state: State) -> dict[str, Any]:
    """Stream the answer through the fake chat model."""
    model = GenericFakeChatModel(messages=iter([AIMessage(content=answer_text(ANSWER_TOKENS))]))
    return {"messages": [await model.ainvoke(state["messages"])]}


builder = StateGraph(State)
for name, node in [
    ("planner", planner),
    ("worker", worker),
    ("critic", critic),
    ("synthesizer", synthesizer),
]:
    builder.add_node(name, node)
builder.add_edge(START, "planner")
builder.add_edge("planner", "worker")
builder.add_edge("worker", "critic")
builder.add_edge("critic", "synthesizer")
builder.add_edge("synthesizer", END)
graph = builder.compile()
