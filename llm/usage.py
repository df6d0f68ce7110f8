"""Token usage of model calls, collected per run without threading it through every call.

A provider reports each call it makes with `record_usage`; whoever runs a pipeline opens
`metering()` around it and reads the meter afterwards. Outside `metering()` reports go nowhere.
The meter travels in a context variable, so it follows the run into the tasks LangGraph starts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Usage:
    """The tokens of one model call."""

    role: str
    """Who asked: planner, worker, critic, synthesizer or summariser."""
    provider: str
    """builtin, openai or anthropic."""
    model: str
    input_tokens: int
    output_tokens: int


@dataclass
class UsageMeter:
    """Every model call of one run, in the order they ended."""

    calls: list[Usage] = field(default_factory=list)

    def record(self, usage: Usage) -> None:
        """Add one call."""
        self.calls.append(usage)

    def by_role(self) -> dict[str, dict[str, int]]:
        """Return input and output tokens summed per role."""
        totals: dict[str, dict[str, int]] = {}
        for call in self.calls:
            role = totals.setdefault(call.role, {"input_tokens": 0, "output_tokens": 0})
            role["input_tokens"] += call.input_tokens
            role["output_tokens"] += call.output_tokens
        return totals

    def totals(self) -> dict[str, int]:
        """Return input and output tokens summed over the run."""
        return {
            "input_tokens": sum(call.input_tokens for call in self.calls),
            "output_tokens": sum(call.output_tokens for call in self.calls),
        }


_current: ContextVar[UsageMeter | None] = ContextVar("usage_meter", default=None)


@contextlib.contextmanager
def metering() -> Iterator[UsageMeter]:
    """Collect the usage reported inside the block into a new meter."""
    meter = UsageMeter()
    token = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(token)


def calls_so_far() -> int:
    """Return how many calls the current run's meter holds (0 outside a run)."""
    meter = _current.get()
    return len(meter.calls) if meter is not None else 0


def tokens_since(mark: int) -> dict[str, int]:
    """Return the input and output tokens of the current run's calls after the first `mark`."""
    meter = _current.get()
    return UsageMeter(meter.calls[mark:] if meter is not None else []).totals()


def record_usage(usage: Usage) -> None:
    """Report one model call to the current run's meter, if any."""
    meter = _current.get()
    if meter is not None:
        meter.record(usage)
