"""The built-in deterministic model: no network, and it reads its requests honestly.

It renders each request to messages and reads them back with `llm.requests.parse`, so it
knows exactly what another model would be shown: the role's request, the packed history
(session, summary, turns) and the request's parts. Same input, same output.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

from pydantic import ValidationError

from llm.base import LLMProvider, ModelT, ProviderError
from llm.builtin.answers import compose_answer
from llm.builtin.memory import summarise, told
from llm.builtin.skills import finding, plan, suggestions, verdict
from llm.observe import model_call
from llm.requests import (
    CriticRequest,
    FactsRequest,
    FollowUpsRequest,
    ModelRequest,
    PlannerRequest,
    SummaryRequest,
    SynthesizerRequest,
    WorkerRequest,
    parse,
    read_history,
    render,
)
from llm.tokens import estimate_message_tokens, estimate_tokens

MODEL_NAME = "builtin"


_TOKEN = re.compile(r"\S+\s*")


def tokens_of(text: str) -> list[str]:
    """Split text into word tokens that keep their trailing whitespace."""
    return _TOKEN.findall(text) or [text]


class BuiltinModel(LLMProvider):
    """Deterministic planner, worker, critic, synthesizer and summariser in one provider."""

    name = "builtin"
    model = ""

    def __init__(self, *, token_delay_ms: float = 0.0) -> None:
        """Create the model; `token_delay_ms` spaces streamed tokens."""
        self.token_delay = token_delay_ms / 1000

    async def complete(self, request: ModelRequest) -> str:
        """Write a worker finding, a summary, or an answer, as the request asks."""
        with model_call(self.name, MODEL_NAME, request.role) as usage:
            messages = render(request)
            usage.input_tokens = estimate_message_tokens(messages)
            text = self.text_for(parse(messages))
            usage.output_tokens = estimate_tokens(text)
        return text

    async def stream(self, request: ModelRequest) -> AsyncIterator[str]:
        """Stream the answer word by word, pausing `token_delay` between words (0: no pause)."""
        for token in tokens_of(await self.complete(request)):
            if self.token_delay:
                await asyncio.sleep(self.token_delay)
            yield token

    async def structured(self, request: ModelRequest, schema: type[ModelT]) -> ModelT:
        """Produce a plan, a verdict or follow-ups, validated against `schema`."""
        with model_call(self.name, MODEL_NAME, request.role) as usage:
            messages = render(request)
            usage.input_tokens = estimate_message_tokens(messages)
            raw = self.structured_raw(parse(messages), schema)
            try:
                answer = schema.model_validate(raw)
            except ValidationError as exc:
                raise ProviderError(f"built-in {schema.__name__} did not validate: {exc}") from exc
            usage.output_tokens = estimate_tokens(answer.model_dump_json())
        return answer

    def text_for(self, request: ModelRequest) -> str:
        """Apply the skill that writes text for `request`."""
        if isinstance(request, WorkerRequest):
            return finding(request.results)
        if isinstance(request, SummaryRequest):
            turns = [(turn["role"], turn["content"]) for turn in request.turns]
            return summarise(request.summary, turns)
        if isinstance(request, SynthesizerRequest):
            return compose_answer(request.question, request.findings, read_history(request.history))
        if isinstance(request, PlannerRequest):
            return compose_answer(request.prompt, [], read_history(request.history))
        raise ProviderError(f"the built-in model writes no text for a {type(request).__name__}")

    def structured_raw(self, request: ModelRequest, schema: type[ModelT]) -> dict:
        """Apply the skill that produces structured output for `request`."""
        if isinstance(request, PlannerRequest):
            return plan(request.prompt, read_history(request.history).session_id)
        if isinstance(request, CriticRequest):
            return verdict(request.subtasks)
        if isinstance(request, FollowUpsRequest):
            return suggestions(request.question, request.answer)
        if isinstance(request, FactsRequest):
            return {"facts": told(request.text)}
        raise ProviderError(
            f"the built-in model cannot produce {schema.__name__} for a {type(request).__name__}"
        )
