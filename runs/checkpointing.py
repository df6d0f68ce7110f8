"""How a run meets the graph's checkpoints: its config, its input, and what a pause waits for.

A thread of the graph is a chat session. A run starts from the thread's latest checkpoint
(or the one it names: a fork) with its prompt as input, or continues a paused run with no
prompt (`RunRequest.resume`). A run that stops at an interrupt ends with an `interrupted`
event saying which agents come next and what the interrupts ask.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from langgraph.types import Command, StateSnapshot

from agents.approvals import check_answer
from checkpoints.saver import FENCE, NEW_THREAD
from runs.requests import RunRequest
from runs.states import state_at

PROMPT_MESSAGE = "prompt_message_id"
"""The metadata key of a checkpoint that names the stored prompt its run answers."""
APPROVE_WRITES = "approve_writes"
"""The metadata key saying that the run asks before writes (its resumption asks too)."""
PASSES_BEFORE = "passes_before"
"""The metadata key saying how many agent passes of the state came before the run (a run that
continues a paused one inherits them): the rest are the run's own."""


@dataclass(frozen=True)
class Paused:
    """Where a thread's graph stopped: its checkpoint, the agents next, the interrupts."""

    checkpoint_id: str
    next: tuple[str, ...]
    interrupts: list[dict[str, Any]]
    prompt: str
    prompt_message_id: str | None
    approve_writes: bool = False
    """Whether the paused run asked before writes (the run that resumes it does too)."""
    passes: int = 0
    """How many agent passes the state holds (`State.passes`)."""
    passes_before: int = 0
    """How many of them came before the run that wrote the checkpoint."""
    run_id: str = ""
    """The run that wrote the checkpoint."""
    by_task: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """The interrupts of each task that raised some, by task id (LangGraph's thread shape)."""

    @property
    def checkpoint(self) -> dict[str, str]:
        """The checkpoint it stopped at, as events name one."""
        return {"checkpoint_id": self.checkpoint_id, "checkpoint_ns": ""}

    def event(self) -> dict[str, Any]:
        """The payload of the `interrupted` event."""
        return {
            "next": list(self.next),
            "interrupts": self.interrupts,
            "checkpoint": self.checkpoint,
        }


def graph_config(
    request: RunRequest,
    run_id: str,
    prompt_message_id: str | None,
    *,
    approve_writes: bool,
    new_thread: bool = False,
    fence: Callable[[], None] | None = None,
    passes_before: int = 0,
) -> dict:
    """The run's LangGraph config: its thread, the checkpoint to start from, its metadata.

    `new_thread`: the session was created with this run, so the saver need not look for a
    checkpoint before the first step. `fence` checks, with each checkpoint written, that the
    run's attempt still holds it (runs/leases.py).
    """
    configurable: dict[str, Any] = {"thread_id": request.session_id}
    if fence is not None:
        configurable[FENCE] = fence
    if new_thread and not request.checkpoint_id:
        configurable[NEW_THREAD] = True
    if request.checkpoint_id:
        configurable["checkpoint_id"] = request.checkpoint_id
    metadata = {**dict(request.metadata), "run_id": run_id, "user_id": request.user_id}
    if prompt_message_id:
        metadata[PROMPT_MESSAGE] = prompt_message_id
    if approve_writes:
        metadata[APPROVE_WRITES] = True
    if passes_before:
        metadata[PASSES_BEFORE] = passes_before
    return {"configurable": configurable, "metadata": metadata}


def graph_input(request: RunRequest, history: list[dict[str, str]]) -> Any:
    """The graph's input: the prompt and its context, or a resume (None: go on)."""
    if request.resume is None:
        return {"prompt": request.prompt, "history": history}
    if request.resume.has_value:
        return Command(resume=request.resume.value)
    return None


def stream_options(request: RunRequest) -> dict[str, Any]:
    """`astream`'s options for the run's pauses and durability."""
    options: dict[str, Any] = {
        "durability": request.durability or settings.CHECKPOINT_DURABILITY,
    }
    for name in ("interrupt_before", "interrupt_after"):
        agents = getattr(request, name)
        if agents:
            options[name] = "*" if "*" in agents else list(agents)
    return options


async def paused_at(session_id: str, checkpoint_id: str = "") -> Paused | None:
    """Where the thread's graph stands, if it has work left (None when it ended or is new)."""
    snapshot = await state_at(session_id, checkpoint_id)
    return paused_from(snapshot) if snapshot is not None else None


def paused_from(snapshot: StateSnapshot) -> Paused | None:
    """The pause a snapshot shows, if any."""
    if not snapshot.next or snapshot.config is None:
        return None
    metadata = snapshot.metadata or {}
    return Paused(
        checkpoint_id=snapshot.config["configurable"]["checkpoint_id"],
        next=tuple(snapshot.next),
        interrupts=[{"value": i.value, "id": i.id} for i in snapshot.interrupts],
        prompt=str(snapshot.values.get("prompt", "")),
        prompt_message_id=metadata.get(PROMPT_MESSAGE),
        approve_writes=bool(metadata.get(APPROVE_WRITES)),
        passes=len(snapshot.values.get("passes") or ()),
        passes_before=int(metadata.get(PASSES_BEFORE) or 0),
        run_id=str(metadata.get("run_id") or ""),
        by_task={
            task.id: [{"id": i.id, "value": i.value} for i in task.interrupts]
            for task in snapshot.tasks
            if task.interrupts
        },
    )


def check_resume(paused: Paused, value: Any) -> None:
    """Check a resume value against what the paused run asks (a review wants decisions).

    Raises:
        BadDecisions: the value does not answer the review of writes the run waits on.
    """
    for waiting in paused.interrupts:
        check_answer(waiting["value"], value)
