"""A run's events: plain typed values, numbered within the run (not SSE text).

The pipeline produces (type, payload) pairs; the executor numbers them 1, 2, 3, … and the
replay buffer keeps them. Each wire protocol renders them in its own format (the chat
stream's SSE in `edge/sse.py`).
"""

from __future__ import annotations

from collections import defaultdict, deque
from typing import Any, NamedTuple

from agents.events import EventType

TERMINAL_EVENTS = frozenset({EventType.DONE, EventType.ERROR, EventType.INTERRUPTED})


class RunEvent(NamedTuple):
    """One event of a run, with its id (1, 2, 3, … within the run); immutable."""

    id: int
    event: EventType | str
    """Its type (a plain string when read back from Redis: equal to the member all the same)."""
    data: dict[str, Any]

    @property
    def terminal(self) -> bool:
        """Whether the run ends with this event."""
        return self.event in TERMINAL_EVENTS


class ToolCallIds:
    """Ids for a run's tool calls, for protocols that name each call: `call-<run>-<n>`.

    `tool_call_completed` carries no id: a completion is paired with the oldest started,
    uncompleted call of the same tool (the Worker's calls of one tool complete in order).
    """

    def __init__(self, run_id: str) -> None:
        """No call started yet."""
        self.run_id = run_id
        self.started = 0
        self.pending: dict[str, deque[str]] = defaultdict(deque)

    def start(self, tool: str) -> str:
        """The id of a call that starts now."""
        self.started += 1
        call_id = f"call-{self.run_id}-{self.started}"
        self.pending[tool].append(call_id)
        return call_id

    def complete(self, tool: str) -> str:
        """The id of the call of `tool` that completes now."""
        pending = self.pending[tool]
        return pending.popleft() if pending else f"call-{self.run_id}-{tool}"


def without_superseded(batch: list[RunEvent]) -> list[RunEvent]:
    """The batch without the events a `resumed` in it supersedes.

    A client reading a run that was taken over, from before the take-over, gets the run as
    one attempt: what the earlier attempt streamed and the later one redid is left out. A
    client that read those events live gets the `resumed` event, which says they are void.
    """
    if len(batch) < 2 or all(event.event != EventType.RESUMED for event in batch):
        return batch
    kept: list[RunEvent] = []
    for event in batch:
        if event.event == EventType.RESUMED:
            kept = [k for k in kept if k.id <= event.data["supersedes"]]
        kept.append(event)
    return kept
