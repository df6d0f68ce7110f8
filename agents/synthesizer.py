"""The Synthesizer: streams the final answer, then writes exactly three follow-ups."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.events import agent_node, emit
from agents.llm.base import ChatMessage
from agents.schemas import FollowUps
from agents.state import RunContext, State

SYNTHESIZER_PROMPT = """You are the Synthesizer. Answer the user's latest message directly and
concisely, using the conversation (including facts the user stated earlier and the summary)
and the worker's findings. Do not mention the pipeline or the tools unless asked."""

SUGGESTER_PROMPT = """You are the Suggester. Write exactly three distinct, short follow-up
questions the user might ask next, in the user's voice, relevant to the question and the
answer. Reply with JSON: {"suggestions": ["...", "...", "..."]}."""


def synthesis_request(state: State) -> str:
    """The question followed by the numbered findings."""
    findings = state.get("findings", {})
    lines = [f"{number}. {findings[number]['text']}" for number in sorted(findings)]
    return f"Question: {state['prompt']}\n\nFindings:\n" + "\n".join(lines)


async def stream_answer(state: State, context: RunContext) -> str:
    """Stream the answer token by token as `token` events; return it whole."""
    messages: list[ChatMessage] = [
        {"role": "system", "content": SYNTHESIZER_PROMPT},
        *state["history"],
        {"role": "user", "content": synthesis_request(state)},
    ]
    pieces: list[str] = []
    async for piece in context.provider.stream(messages):
        if piece:
            pieces.append(piece)
            emit("token", text=piece)
    return "".join(pieces)


async def follow_ups(state: State, answer: str, context: RunContext) -> list[str]:
    """Ask for three follow-up suggestions to the question and its answer."""
    messages: list[ChatMessage] = [
        {"role": "system", "content": SUGGESTER_PROMPT},
        *state["history"],
        {"role": "user", "content": f"Question: {state['prompt']}\n\nAnswer: {answer}"},
    ]
    return (await context.provider.structured(messages, FollowUps)).suggestions


@agent_node("synthesizer")
async def synthesizer(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Write the final answer and the suggestions."""
    answer = await stream_answer(state, runtime.context)
    return {"answer": answer, "suggestions": await follow_ups(state, answer, runtime.context)}
