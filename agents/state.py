"""The graph's state: a narrow input, the full state with reducers, and the run context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, TypedDict

from agents.schemas import Plan, Verdict
from agents.timing import add_timings
from agents.tools.base import ToolContext, ToolOutcome
from llm.base import ChatMessage, LLMProvider


class Finding(TypedDict):
    """What the worker found for one subtask."""

    subtask_id: int
    description: str
    text: str
    """The worker's write-up of the subtask, from its tool results and the conversation."""
    tool_errors: list[str]
    """Why any of the subtask's tool calls failed (empty when all succeeded)."""
    attempt: int
    """1 on the first pass, 2 when the critic sent the subtask back."""


def merge_findings(old: dict[int, Finding], new: dict[int, Finding] | None) -> dict[int, Finding]:
    """Keep every subtask's latest finding: a retry replaces only what it redid.

    `None` empties them: the planner starts every pass afresh (a thread's checkpointed state
    outlives its runs, and the previous run's findings are not this one's).
    """
    return {} if new is None else {**old, **new}


def merge_reviews(old: dict[str, dict], new: dict[str, dict] | None) -> dict[str, dict]:
    """Keep every decision on a write; `None` (the planner's) empties them for a new pass."""
    return {} if new is None else {**old, **new}


class InputState(TypedDict):
    """What a run starts from."""

    prompt: str
    """The user's current message."""
    history: list[ChatMessage]
    """The packed context before the prompt: system meta, summary, the last K turns."""


def add_pass(old: list[str], new: list[str]) -> list[str]:
    """Add the agents that completed; the planner's completion starts a new run's list."""
    return list(new) if "planner" in new else [*(old or []), *new]


class State(InputState, total=False):
    """Everything the agents read and write during one run."""

    plan: Plan
    """The planner's 1-3 subtasks with their data plans."""
    findings: Annotated[dict[int, Finding], merge_findings]
    """The worker's findings by subtask id."""
    verdict: Verdict
    """The critic's latest judgement."""
    retries: int
    """How many times the critic has sent work back (at most MAX_RETRIES)."""
    send_back: bool
    """Whether the critic's latest verdict sends the work back to the worker."""
    answer: str
    """The synthesizer's final answer, as streamed."""
    suggestions: list[str]
    """Exactly three follow-up suggestions."""
    reviews: Annotated[dict[str, dict], merge_reviews]
    """A person's decision on each write (`<subtask>:<index>`), with approval of writes."""
    timings: Annotated[dict[str, float], add_timings]
    """Milliseconds spent in each agent."""
    passes: Annotated[list[str], add_pass]
    """The agents that completed in this run, in order (a run taken over after a checkpoint
    knows from it which of the events already streamed it does not redo)."""


@dataclass
class RunContext:
    """Run-scoped dependencies handed to every node (not part of the state)."""

    provider: LLMProvider
    tools: ToolContext
    outcomes: list[ToolOutcome] = field(default_factory=list)
    """Every tool call made so far, kept even when the run fails part-way."""
    record_tool_call: Callable[[ToolOutcome], None] | None = None
    """Stores a completed tool call before it is announced (in the call's thread hop)."""
    approve_writes: bool = False
    """Whether the Worker asks a person before each write (agents/approvals.py)."""
