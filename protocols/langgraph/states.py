"""A thread's states as LangGraph shows them, read from the graph's checkpoints.

Every checkpoint of the thread's graph (runs/checkpointing.py) is one state: `values` are
the thread's messages as of that checkpoint (up to the prompt of the run that wrote it, and
its answer once that run's graph ended) beside the graph's own channels (`plan`, `findings`,
`verdict`, …); `next`, `tasks` and `interrupts` say where a paused run waits. A state edit
(`POST /threads/{id}/state`) writes a new checkpoint, as if an agent had written the values.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from langgraph.types import StateSnapshot

from chat.models import Message, Session
from edge.errors import RequestRejected
from protocols.langgraph.assistant import GRAPH_ID
from protocols.langgraph.bodies import StateEditBody
from protocols.langgraph.threads import as_message, checkpoint_of, iso, state_messages
from runs import engine
from runs.models import Run


async def thread_state(session: Session, checkpoint_id: str = "") -> dict[str, Any]:
    """The thread's state at a checkpoint (its latest by default); 404 for an unknown one."""
    snapshot = await engine.state_at(session.session_id, checkpoint_id)
    if snapshot is None:
        if checkpoint_id:
            raise RequestRejected(404, f"Checkpoint {checkpoint_id} not found in the thread")
        return await sync_to_async(empty_state)(session)
    return (await rendered(session, [snapshot]))[0]


async def thread_history(
    session: Session,
    *,
    limit: int,
    before: str = "",
    metadata: dict[str, Any] | None = None,
    checkpoint_id: str = "",
) -> list[dict[str, Any]]:
    """The thread's states, newest first (the one `checkpoint_id` names, when given)."""
    snapshots = await engine.states_of(
        session.session_id,
        limit=limit,
        before=before,
        metadata=metadata,
        checkpoint_id=checkpoint_id,
    )
    return await rendered(session, snapshots)


async def edit_state(session: Session, body: StateEditBody) -> dict[str, Any]:
    """Write the edited values as a new checkpoint; `{"checkpoint": …}` as LangGraph answers."""
    if session.active_run_id:
        raise RequestRejected(409, "The thread has an active run: its state cannot be edited")
    start = body.start_checkpoint()
    if await engine.state_at(session.session_id, start) is None:
        what = f"checkpoint {start}" if start else "a checkpoint yet: run it first"
        raise RequestRejected(404 if start else 409, f"The thread has no {what}")
    try:
        written = await engine.edit_state(
            session.session_id, body.values, as_node=body.as_node, checkpoint_id=start
        )
    except engine.BadEdit as exc:
        raise RequestRejected(422, str(exc)) from None
    checkpoint = checkpoint_of(session, written)
    return {"checkpoint": checkpoint, "configurable": checkpoint, "checkpoint_id": written}


@sync_to_async
def rendered(session: Session, snapshots: list[StateSnapshot]) -> list[dict[str, Any]]:
    """The snapshots as LangGraph's state objects (one query for their runs)."""
    run_ids = {s.metadata.get("run_id") for s in snapshots if s.metadata}
    runs = Run.objects.filter(pk__in=[r for r in run_ids if r]).select_related(
        "user_message", "answer_message"
    )
    by_id = {run.pk: run for run in runs}
    return [state_dict(session, s, by_id.get((s.metadata or {}).get("run_id"))) for s in snapshots]


def state_dict(session: Session, snapshot: StateSnapshot, run: Run | None) -> dict[str, Any]:
    """One checkpoint as a LangGraph state."""
    assert snapshot.config is not None
    parent = snapshot.parent_config
    checkpoint_id = snapshot.config["configurable"]["checkpoint_id"]
    parent_id = parent["configurable"]["checkpoint_id"] if parent else None
    interrupts = [{"id": i.id, "value": i.value} for i in snapshot.interrupts]
    metadata = snapshot.metadata or {}
    return {
        "values": {
            "messages": messages_at(session, snapshot, run),
            **engine.shown_values(snapshot),
        },
        "next": list(snapshot.next),
        "tasks": [
            {
                "id": task.id,
                "name": task.name,
                "path": list(task.path),
                "error": task.error if isinstance(task.error, str | None) else str(task.error),
                "interrupts": [{"id": i.id, "value": i.value} for i in task.interrupts],
                "checkpoint": None,
                "state": None,
                "result": task.result,
            }
            for task in snapshot.tasks
        ],
        "checkpoint": checkpoint_of(session, checkpoint_id),
        "checkpoint_id": checkpoint_id,
        "metadata": {
            **metadata,
            "graph_id": GRAPH_ID,
            "thread_id": session.session_id,
            "run_attempt": 1,
        },
        "created_at": snapshot.created_at,
        "parent_checkpoint": checkpoint_of(session, parent_id) if parent_id else None,
        "parent_checkpoint_id": parent_id,
        "interrupts": interrupts,
    }


def messages_at(session: Session, snapshot: StateSnapshot, run: Run | None) -> list[dict]:
    """The thread's messages as of the checkpoint: to its run's prompt, then its answer."""
    prompt = run.user_message if run is not None else None
    if prompt is None:
        return state_messages(session.session_id)
    messages = state_messages(session.session_id, through=prompt.created_at)
    answer = run.answer_message if run is not None else None
    if not snapshot.next and isinstance(answer, Message):
        messages.append(as_message(answer))
    return messages


def empty_state(session: Session) -> dict[str, Any]:
    """The state of a thread whose graph has not run: its messages, no checkpoint."""
    messages = state_messages(session.session_id)
    return {
        "values": {"messages": messages} if messages else {},
        "next": [],
        "tasks": [],
        "checkpoint": checkpoint_of(session, ""),
        "checkpoint_id": "",
        "metadata": {"graph_id": GRAPH_ID},
        "created_at": iso(session.created_at),
        "parent_checkpoint": None,
        "parent_checkpoint_id": None,
        "interrupts": [],
    }
