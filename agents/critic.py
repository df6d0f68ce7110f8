"""The Critic: validates the worker's findings and may send the work back once."""

from __future__ import annotations

from typing import Any, Literal

from langgraph.runtime import Runtime

from agents.degraded import clamped
from agents.events import agent_node
from agents.schemas import Verdict
from agents.state import Finding, RunContext, State
from llm.requests import CriticRequest

MAX_RETRIES = 1


def missing_findings(state: State) -> list[int]:
    """Return the ids of subtasks whose finding is missing or empty (checked in code)."""
    findings = state.get("findings", {})
    return [
        subtask.id
        for subtask in state["plan"].subtasks
        if not findings.get(subtask.id, {}).get("text")
    ]


def review_request(state: State) -> CriticRequest:
    """The critic's request: the prompt, the subtasks and their findings."""
    findings: dict[int, Finding] = state.get("findings", {})
    subtasks = [
        {
            "id": subtask.id,
            "description": subtask.description,
            "finding": findings.get(subtask.id, {}).get("text", ""),
            "tool_errors": findings.get(subtask.id, {}).get("tool_errors", []),
            "attempt": findings.get(subtask.id, {}).get("attempt", 1),
        }
        for subtask in state["plan"].subtasks
    ]
    return CriticRequest(question=state["prompt"], subtasks=subtasks)


def combine(verdict: Verdict, missing: list[int]) -> Verdict:
    """Fail the verdict when findings are missing, whatever the model said."""
    if not missing:
        return verdict
    return Verdict(
        ok=False,
        issues=[*(f"Subtask {number} has no finding" for number in missing), *verdict.issues],
        retry_subtasks=sorted({*verdict.retry_subtasks, *missing}),
    )


@agent_node("critic")
async def critic(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Judge the findings; decide whether the worker gets its one retry."""
    verdict = await runtime.context.provider.structured(review_request(state), Verdict)
    clamped("critic", verdict.clamped)
    verdict = combine(verdict, missing_findings(state))
    retries = state.get("retries", 0)
    send_back = not verdict.ok and retries < MAX_RETRIES
    return {"verdict": verdict, "retries": retries + send_back, "send_back": send_back}


def after_critic(state: State) -> Literal["worker", "synthesizer"]:
    """Route back to the worker at most MAX_RETRIES times, then always on to the synthesizer."""
    return "worker" if state.get("send_back") else "synthesizer"
