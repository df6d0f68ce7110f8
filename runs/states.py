"""A session's graph states: read at a checkpoint, listed newest first, edited.

A thread of the graph is a chat session; each checkpoint is one of its states. What a state
shows of the graph's channels (`SHOWN`) and what an edit may write (`EDITABLE`, checked
against the state's schema) are decided here, for every protocol alike.
"""

from __future__ import annotations

from typing import Any

from langgraph.errors import InvalidUpdateError
from langgraph.types import StateSnapshot
from pydantic import BaseModel, ValidationError
from pydantic_core import to_jsonable_python

from agents.graph import AGENTS, compiled_graph
from agents.schemas import Plan, Verdict

SHOWN = ("prompt", "plan", "findings", "verdict", "retries", "reviews", "answer", "suggestions")
"""The graph's channels a state shows (the packed `history` is the conversation, not shown)."""
EDITABLE: dict[str, type[BaseModel] | None] = {
    "prompt": None,
    "plan": Plan,
    "verdict": Verdict,
    "answer": None,
}
"""What a state edit may write: its pydantic model, or None for text."""


def thread_config(session_id: str, checkpoint_id: str = "") -> dict[str, Any]:
    """The config naming a thread's checkpoint (its latest without `checkpoint_id`)."""
    configurable = {"thread_id": session_id, "checkpoint_ns": ""}
    if checkpoint_id:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


async def state_at(session_id: str, checkpoint_id: str = "") -> StateSnapshot | None:
    """The thread's state at a checkpoint (its latest by default); None if there is none."""
    snapshot = await compiled_graph().aget_state(thread_config(session_id, checkpoint_id))
    return snapshot if snapshot.metadata is not None else None  # None: nothing saved


async def states_of(
    session_id: str,
    *,
    limit: int,
    before: str = "",
    metadata: dict[str, Any] | None = None,
    checkpoint_id: str = "",
) -> list[StateSnapshot]:
    """The thread's states newest first: at most `limit`, before a checkpoint, by metadata.

    With `checkpoint_id`, only the state it names (as LangGraph's savers list).
    """
    history = compiled_graph().aget_state_history(
        thread_config(session_id, checkpoint_id),
        filter=metadata or None,
        before=thread_config(session_id, before) if before else None,
        limit=limit,
    )
    return [snapshot async for snapshot in history]


class BadEdit(ValueError):
    """A state edit that cannot be written; the message names the field (`values.plan…`)."""


async def edit_state(
    session_id: str, values: Any, *, as_node: str | None, checkpoint_id: str = ""
) -> str:
    """Write a new checkpoint with `values` as if agent `as_node` wrote them; its id.

    Raises:
        BadEdit: a value fails the state's schema, is not editable, or `as_node` is unknown.
    """
    checked = checked_values(values)
    if as_node is not None and as_node not in AGENTS:
        raise BadEdit(f"as_node: no agent {as_node!r} (the agents: {', '.join(AGENTS)})")
    config = thread_config(session_id, checkpoint_id)
    try:
        written = await compiled_graph().aupdate_state(config, checked, as_node=as_node)
    except InvalidUpdateError as exc:
        raise BadEdit(f"values: {exc}") from None
    return str(written["configurable"]["checkpoint_id"])


def checked_values(values: Any) -> dict[str, Any]:
    """An edit's values, each checked against the state's schema (BadEdit naming the first)."""
    if not isinstance(values, dict) or not values:
        raise BadEdit("values: an object of the state's fields to write")
    checked: dict[str, Any] = {}
    for name, value in values.items():
        if name not in EDITABLE:
            raise BadEdit(f"values.{name}: not a field an edit may write ({', '.join(EDITABLE)})")
        model = EDITABLE[name]
        if model is None:
            if not isinstance(value, str):
                raise BadEdit(f"values.{name}: must be a string")
            checked[name] = value
            continue
        try:
            checked[name] = model.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise BadEdit(f"values.{name}{'.' + where if where else ''}: {first['msg']}") from None
    return checked


def shown_values(snapshot: StateSnapshot) -> dict[str, Any]:
    """The graph's channels a state shows, as JSON."""
    shown = {name: snapshot.values[name] for name in SHOWN if name in snapshot.values}
    return to_jsonable_python(shown)
