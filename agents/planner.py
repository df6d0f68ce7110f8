"""The Planner: expands the prompt into 1-3 subtasks, each with a data-access plan."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.events import agent_node
from agents.llm.base import ChatMessage
from agents.schemas import Plan
from agents.state import RunContext, State

PLANNER_PROMPT = """You are the Planner. Expand the user's latest message into 1 to 3 subtasks.
For each subtask, write a short description and a data plan: the DB tool calls (0 to 3) that
would fetch or store what it needs. Tools, scoped to the current user automatically:
- db.find {"collection", "filter", "sort", "limit"} reads messages, sessions, notes, tool_calls
  or metrics. Filters use a MongoDB subset: $eq $ne $gt $gte $lt $lte $in $nin $exists $regex
  $and $or. limit is 1 to 50.
- db.insert {"collection": "notes", "document": {"content", "tags"}} saves a note the user asked
  you to remember.
- db.aggregate {"collection", "match", "group_by", "op": count|sum|avg|min|max, "field"}.
Facts the user stated earlier are in the conversation; they need no tool call.
Reply with JSON: {"subtasks": [{"id": 1, "description": "...", "data_plan":
[{"tool": "db.find", "args": {...}}]}]}"""


def planner_messages(state: State) -> list[ChatMessage]:
    """Build the planner's conversation: its instructions, the packed context, the prompt."""
    return [
        {"role": "system", "content": PLANNER_PROMPT},
        *state["history"],
        {"role": "user", "content": state["prompt"]},
    ]


@agent_node("planner")
async def planner(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Plan the run."""
    plan = await runtime.context.provider.structured(planner_messages(state), Plan)
    return {"plan": plan, "retries": 0, "send_back": False}
