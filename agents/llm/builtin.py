"""The built-in deterministic model: no network, and it reads the packed context honestly.

It finds its role in the first system message ("You are the Planner." ...), the conversation
in the messages that follow (system meta, the summary, the turns) and its task in the last
user message, then applies the matching skill. Same input, same output.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from pydantic import ValidationError

from agents.llm.base import ChatMessage, LLMProvider, ModelT, ProviderError
from agents.llm.builtin_answers import compose_answer
from agents.llm.builtin_memory import summarise
from agents.llm.builtin_skills import finding, plan, suggestions, verdict
from agents.schemas import FollowUps, Plan, Verdict
from memory.context import SUMMARY_HEADER

ROLE = re.compile(r"^You are the (\w+)")
SESSION = re.compile(r"Session: (\S+) ·")


@dataclass
class Reading:
    """What the model makes of a conversation."""

    role: str = ""
    session_id: str = ""
    summary: str = ""
    user_turns: list[str] = field(default_factory=list)
    request: str = ""


def read(messages: Sequence[ChatMessage]) -> Reading:
    """Find the role, session, summary, the user's earlier turns and the task."""
    reading = Reading()
    *context, last = messages or [{"role": "user", "content": ""}]
    reading.request = last["content"]
    for message in context:
        content = message["content"]
        if message["role"] == "system":
            if (role := ROLE.match(content)) and not reading.role:
                reading.role = role.group(1).lower()
            elif content.startswith(SUMMARY_HEADER):
                reading.summary = content.removeprefix(SUMMARY_HEADER).strip()
            elif session := SESSION.search(content):
                reading.session_id = session.group(1)
        elif message["role"] == "user":
            reading.user_turns.append(content)
    return reading


def summarise_request(request: str) -> str:
    """Apply the summariser to `memory.summarizer.summary_request`'s format."""
    current, _, turns_text = request.partition("\n\nNew turns:\n")
    current = current.removeprefix("Current summary:\n").strip()
    current = "" if current == "(none)" else current
    turns = [line.partition(": ")[::2] for line in turns_text.splitlines() if ": " in line]
    return summarise(current, turns)


def tokens_of(text: str) -> list[str]:
    """Split text into word tokens that keep their trailing whitespace."""
    return re.findall(r"\S+\s*", text) or [text]


class BuiltinModel(LLMProvider):
    """Deterministic planner, worker, critic, synthesizer and summariser in one provider."""

    name = "builtin"

    def __init__(self, *, token_delay_ms: float | None = None) -> None:
        """Create the model; `token_delay_ms` spaces streamed tokens (default from settings)."""
        delay = settings.BUILTIN_TOKEN_DELAY_MS if token_delay_ms is None else token_delay_ms
        self.token_delay = delay / 1000

    async def complete(self, messages: Sequence[ChatMessage]) -> str:
        """Write a worker finding, a summary, or an answer, as the role asks."""
        reading = read(messages)
        if reading.role == "worker":
            return finding(reading.request)
        if reading.role == "summariser":
            return summarise_request(reading.request)
        return self.answer(reading)

    async def stream(self, messages: Sequence[ChatMessage]) -> AsyncIterator[str]:
        """Stream the answer word by word, pausing `token_delay` between words."""
        for token in tokens_of(await self.complete(messages)):
            await asyncio.sleep(self.token_delay)
            yield token

    async def structured(self, messages: Sequence[ChatMessage], schema: type[ModelT]) -> ModelT:
        """Produce a plan, a verdict or follow-ups, validated against `schema`."""
        reading = read(messages)
        try:
            return schema.model_validate(self.structured_raw(reading, schema))
        except (ValidationError, json.JSONDecodeError, KeyError) as exc:
            raise ProviderError(f"built-in {schema.__name__} did not validate: {exc}") from exc

    def structured_raw(self, reading: Reading, schema: type[ModelT]) -> dict:
        """Apply the skill that produces `schema`."""
        if schema is Plan:
            return plan(reading.request, reading.session_id)
        if schema is Verdict:
            return verdict(reading.request)
        if schema is FollowUps:
            question, _, answer = reading.request.partition("\n\nAnswer: ")
            return suggestions(question.removeprefix("Question: "), answer)
        raise ProviderError(f"the built-in model cannot produce {schema.__name__}")

    def answer(self, reading: Reading) -> str:
        """Answer the request as the synthesizer (a bare question has no findings)."""
        request = reading.request
        if not request.startswith("Question: "):
            request = f"Question: {request}"
        return compose_answer(request, reading.summary, reading.user_turns)
