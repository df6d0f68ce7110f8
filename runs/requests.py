"""What the engine admits: a protocol-agnostic run request (each wire protocol builds one)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

OnDisconnect = Literal["cancel", "continue"]
"""What a run does when the client that started it leaves: stop, or finish and store."""
MultitaskStrategy = Literal["enqueue", "reject", "interrupt"]
"""What a new run does when its session already has an active run."""
Durability = Literal["", "exit", "async", "sync"]
"""When checkpoints are written (LangGraph's modes); "" for CHECKPOINT_DURABILITY."""


@dataclass(frozen=True, slots=True)
class Resume:
    """A run that continues its session's paused run from the latest (or a named) checkpoint."""

    value: Any = None
    """What the pause is answered with (LangGraph's `Command(resume=…)`); None for none."""
    has_value: bool = False
    """Whether `value` was given (a run with no input continues without answering)."""


@dataclass(frozen=True, slots=True)
class RunRequest:
    """One prompt to run in a session for a user, with its policies (validated by the caller)."""

    session_id: str
    user_id: str
    prompt: str
    on_disconnect: OnDisconnect = "cancel"
    multitask_strategy: MultitaskStrategy = "enqueue"
    webhook: str = ""
    """Where a POST goes when the run ends (checked by webhooks.policy first); "" for nowhere."""
    run_id: str = ""
    """The run's id when the caller chose it (a cron's firing); "" for a new one."""
    interrupt_before: tuple[str, ...] = ()
    """The agents to pause before (names from agents.graph.AGENTS, or "*" for all)."""
    interrupt_after: tuple[str, ...] = ()
    """The agents to pause after."""
    resume: Resume | None = None
    """Set for a run that continues the paused run (`prompt` is then "")."""
    checkpoint_id: str = ""
    """The checkpoint the run starts from (a fork, or a resume from an earlier one); "" for
    the latest."""
    durability: Durability = ""
    """When the run's checkpoints are written."""
    approve_writes: bool | None = None
    """Whether the Worker asks a person before each write; None for APPROVE_WRITES."""
    metadata: tuple[tuple[str, Any], ...] = ()
    """What the protocol adds to the run's checkpoints' metadata (graph, assistant ids)."""


def request_json(request: RunRequest) -> dict[str, Any]:
    """The request as stored with its run (JSON), for another process to resume it."""
    stored = asdict(request)
    stored["metadata"] = [list(pair) for pair in request.metadata]
    return stored


def request_from_json(stored: dict[str, Any]) -> RunRequest:
    """The request a run stored (`request_json`).

    Raises:
        TypeError, ValueError: what is stored is not a request (a run from before it was).
    """
    fields = dict(stored)
    resume = fields.pop("resume", None)
    return RunRequest(
        **fields
        | {
            "interrupt_before": tuple(fields.get("interrupt_before") or ()),
            "interrupt_after": tuple(fields.get("interrupt_after") or ()),
            "metadata": tuple((str(k), v) for k, v in fields.get("metadata") or ()),
            "resume": None if resume is None else Resume(**resume),
        }
    )
