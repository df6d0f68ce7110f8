"""The Planner: expands the prompt into 1-3 subtasks, each with a data-access plan."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.degraded import clamped
from agents.events import agent_node
from agents.schemas import Plan
from agents.state import RunContext, State
from llm.requests import PlannerRequest


def planner_request(state: State) -> PlannerRequest:
    """The planner's request: the packed context and the prompt."""
    return PlannerRequest(history=state["history"], prompt=state["prompt"])


@agent_node("planner")
async def planner(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Plan the run."""
    plan = await runtime.context.provider.structured(planner_request(state), Plan)
    clamped("planner", plan.clamped)
    return {"plan": plan, "retries": 0, "send_back": False, "findings": None, "reviews": None}
