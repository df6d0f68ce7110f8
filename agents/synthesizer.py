"""The Synthesizer: streams the final answer, then writes three follow-ups.

The answer is the run's product: when the follow-ups fail (the model errs, or its answer does
not validate even once clamped), the run still ends with its answer, without suggestions, and
the failure is logged and counted (agents/degraded.py).
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.degraded import clamped, skipped
from agents.events import EventType, agent_node, emit
from agents.schemas import FollowUps
from agents.state import RunContext, State
from llm.base import ProviderError
from llm.requests import FollowUpsRequest, SynthesizerRequest


def synthesis_request(state: State) -> SynthesizerRequest:
    """The packed context, the question and the findings in subtask order."""
    findings = state.get("findings", {})
    return SynthesizerRequest(
        history=state["history"],
        question=state["prompt"],
        findings=[findings[number]["text"] for number in sorted(findings)],
    )


async def stream_answer(state: State, context: RunContext) -> str:
    """Stream the answer token by token as `token` events; return it whole."""
    pieces: list[str] = []
    async for piece in context.provider.stream(synthesis_request(state)):
        if piece:
            pieces.append(piece)
            emit(EventType.TOKEN, text=piece)
    return "".join(pieces)


async def follow_ups(state: State, answer: str, context: RunContext) -> list[str]:
    """Ask for three follow-up suggestions to the question and its answer; none if that fails."""
    request = FollowUpsRequest(history=state["history"], question=state["prompt"], answer=answer)
    try:
        offered = await context.provider.structured(request, FollowUps)
    except ProviderError as exc:
        skipped("synthesizer", "follow_ups", str(exc))
        return []
    clamped("synthesizer", offered.clamped)
    return offered.suggestions


@agent_node("synthesizer")
async def synthesizer(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Write the final answer and the suggestions."""
    answer = await stream_answer(state, runtime.context)
    return {"answer": answer, "suggestions": await follow_ups(state, answer, runtime.context)}
