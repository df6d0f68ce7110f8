"""An LLM provider for Anthropic's native Messages API, through the `anthropic` package."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import anthropic
from pydantic import BaseModel, ValidationError

from llm.base import (
    ChatMessage,
    ModelT,
    ProviderError,
    validation_problem,
)
from llm.observe import CallUsage, model_call
from llm.remote import RemoteProvider
from llm.requests import ModelRequest, render

DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_MODEL = "claude-sonnet-4-6"
STRUCTURED_ATTEMPTS = 2
OMITTED_START = "(The earlier part of the conversation is summarised above.)"


class AnthropicProvider(RemoteProvider):
    """Streaming answers and tool-use structured output from Anthropic's Messages API."""

    name = "anthropic"
    default_model = DEFAULT_MODEL
    default_base_url = DEFAULT_BASE_URL
    sdk_errors = (anthropic.AnthropicError, ValueError)
    status_error = anthropic.APIStatusError

    def __init__(self, *, max_tokens: int = 4096, **options: Any) -> None:
        """Configure the API as RemoteProvider does; `max_tokens` bounds every answer."""
        super().__init__(**options)
        self.max_tokens = max_tokens

    def _new_client(self, api_key: str) -> anthropic.AsyncAnthropic:
        """Build the async Anthropic client."""
        return anthropic.AsyncAnthropic(
            api_key=api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
        )

    async def complete(self, request: ModelRequest) -> str:
        """Return the whole answer to `request` (streamed, then joined)."""
        return "".join([piece async for piece in self.stream(request)])

    async def stream(self, request: ModelRequest) -> AsyncIterator[str]:
        """Yield the text deltas of the answer in order; raise if the stream fails or stops."""
        system, messages = to_anthropic(render(request))
        with model_call(self.name, self.model, request.role) as usage:
            deadline = self.deadline()
            events = await self._create(system, messages, deadline=deadline, stream=True)
            stopped = produced = False
            length = 0
            try:
                async for event in self.translated(events, deadline):
                    stopped = stopped or event.type == "message_stop"
                    text = _take(usage, event)
                    if text:
                        produced = True
                        length += len(text)
                        self.check_length(length)
                        yield text
            finally:
                await events.close()
        if not stopped:
            raise ProviderError(f"The answer stream from {self.api} ended unfinished.")
        if not produced:
            raise ProviderError(f"{self.api_title} streamed an empty answer.")

    async def structured(self, request: ModelRequest, schema: type[ModelT]) -> ModelT:
        """Return the input of a forced tool call that validates as `schema`, with one retry.

        Raises:
            ProviderError: when the API fails or both answers fail to validate.
        """
        system, messages = to_anthropic(render(request))
        tool = _tool_for(schema)
        problem = ""
        for _attempt in range(STRUCTURED_ATTEMPTS):
            with model_call(self.name, self.model, request.role) as usage:
                reply = await self._create(
                    system,
                    messages,
                    tools=[tool],
                    tool_choice={"type": "tool", "name": tool["name"]},
                )
                usage.input_tokens = reply.usage.input_tokens
                usage.output_tokens = reply.usage.output_tokens
            arguments = _tool_input(reply)
            self.check_length(len(json.dumps(arguments)))
            try:
                return schema.model_validate(arguments)
            except ValidationError as exc:
                problem = validation_problem(exc)
            messages = [*messages, *_correction(arguments, problem)]
        raise ProviderError(
            f"{self.api_title} gave no valid {schema.__name__} "
            f"in {STRUCTURED_ATTEMPTS} attempts: {problem}."
        )

    @property
    def api(self) -> str:
        """Name the API in messages: 'the Anthropic API at host:port'."""
        return f"the Anthropic API at {self.endpoint}"

    @property
    def api_title(self) -> str:
        """Name the API at the start of a sentence."""
        return f"The Anthropic API at {self.endpoint}"

    async def _create(
        self,
        system: str,
        messages: list[dict[str, Any]],
        *,
        deadline: float | None = None,
        **options: Any,
    ) -> Any:
        """Call messages.create by `deadline`, turning every failure into a ProviderError."""
        create = self.client().messages.create(
            model=self.model,
            max_tokens=self.max_tokens,
            system=system,
            messages=messages,
            **options,
        )
        try:
            return await self.bounded(create, deadline or self.deadline())
        except self.sdk_errors as exc:
            raise self.failure(exc) from None

    def _error(self, exc: Exception, *, streaming: bool = False) -> ProviderError:
        """Describe `exc` in one short sentence that carries no secret."""
        if isinstance(exc, anthropic.APITimeoutError):
            return ProviderError(f"Timed out after {self.timeout:g}s waiting for {self.api}.")
        if isinstance(exc, anthropic.APIConnectionError):
            if streaming:
                return ProviderError(f"The answer stream from {self.api} broke off.")
            return ProviderError(f"Could not connect to {self.api}.")
        if isinstance(exc, anthropic.APIStatusError):
            return ProviderError(self._status_summary(exc, streaming=streaming))
        if isinstance(exc, ValueError):
            return ProviderError(f"{self.api_title} sent a malformed response.")
        return ProviderError(f"{self.api_title} failed ({type(exc).__name__}).")

    def _status_summary(self, exc: anthropic.APIStatusError, *, streaming: bool) -> str:
        """Return what the API said, the error type and message, with any key redacted."""
        label = f" ({exc.type})" if exc.type else ""
        if streaming:
            summary = f"The answer stream from {self.api} failed{label}"
        else:
            summary = f"{self.api_title} answered HTTP {exc.status_code}{label}"
        message = exc.api_message
        if not isinstance(message, str) or not message.strip():
            return summary + "."
        return f"{summary}: {self.redacted(message)}"


def to_anthropic(messages: Sequence[ChatMessage]) -> tuple[str, list[dict[str, Any]]]:
    """Split chat messages into Anthropic's system text and alternating user/assistant turns."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    turns: list[dict[str, Any]] = []
    for message in messages:
        if message["role"] == "system" or not message["content"]:
            continue
        if turns and turns[-1]["role"] == message["role"]:
            turns[-1]["content"] += "\n\n" + message["content"]
        else:
            turns.append({"role": message["role"], "content": message["content"]})
    if not turns or turns[0]["role"] != "user":
        turns.insert(0, {"role": "user", "content": OMITTED_START})
    return system, turns


def _take(usage: CallUsage, event: Any) -> str:
    """Record the usage an event carries; return its text delta, if any."""
    if event.type == "message_start":
        usage.input_tokens = event.message.usage.input_tokens or 0
        usage.output_tokens = event.message.usage.output_tokens or 0
    elif event.type == "message_delta" and event.usage is not None:
        usage.output_tokens = event.usage.output_tokens or usage.output_tokens
        if getattr(event.usage, "input_tokens", None):
            usage.input_tokens = event.usage.input_tokens
    elif event.type == "content_block_delta" and event.delta.type == "text_delta":
        return event.delta.text
    return ""


def _tool_for(schema: type[BaseModel]) -> dict[str, Any]:
    """Describe `schema` as the one tool the model must call."""
    return {
        "name": schema.__name__,
        "description": f"Record the {schema.__name__}. Call it exactly once.",
        "input_schema": schema.model_json_schema(),
    }


def _tool_input(reply: Any) -> Any:
    """Return the input of the reply's tool call; else its text parsed as JSON, else {}."""
    for block in reply.content:
        if block.type == "tool_use":
            return block.input
    text = "".join(block.text for block in reply.content if block.type == "text").strip()
    try:
        return json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}


def _correction(arguments: Any, problem: str) -> list[dict[str, Any]]:
    """Return the rejected answer and a request to fix `problem`, as two turns."""
    return [
        {"role": "assistant", "content": json.dumps(arguments)},
        {
            "role": "user",
            "content": f"That tool input was not valid ({problem}). Call the tool again with "
            "input that matches its schema.",
        },
    ]
