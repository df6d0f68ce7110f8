"""What the engine admits: a protocol-agnostic run request (each wire protocol builds one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OnDisconnect = Literal["cancel", "continue"]
"""What a run does when the client that started it leaves: stop, or finish and store."""
MultitaskStrategy = Literal["enqueue", "reject", "interrupt"]
"""What a new run does when its session already has an active run."""


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
