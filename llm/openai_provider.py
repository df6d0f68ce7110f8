"""An LLM provider for any OpenAI-compatible chat-completions API, through the `openai` package."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import openai
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

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
STRUCTURED_ATTEMPTS = 2
FENCE = "```"


class OpenAIProvider(RemoteProvider):
    """Chat completions from OpenAI or any server that speaks its API (vLLM, Ollama, ...)."""

    name = "openai"
    default_model = DEFAULT_MODEL
    default_base_url = DEFAULT_BASE_URL
    sdk_errors = (openai.OpenAIError, ValueError)
    status_error = openai.APIStatusError

    def _new_client(self, api_key: str) -> openai.AsyncOpenAI:
        """Build the async OpenAI client."""
        return openai.AsyncOpenAI(
            api_key=api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
        )

    async def complete(self, request: ModelRequest) -> str:
        """Return the whole answer to `request`."""
        with model_call(self.name, self.model, request.role) as usage:
            text = _text_of(await self._create(render(request), usage))
        self.check_length(len(text))
        if not text:
            raise ProviderError(f"The LLM API at {self.endpoint} returned an empty answer.")
        return text

    async def stream(self, request: ModelRequest) -> AsyncIterator[str]:
        """Yield the non-empty pieces of the answer in order; raise if the stream breaks off."""
        with model_call(self.name, self.model, request.role) as usage:
            deadline = self.deadline()
            chunks = await self._create(
                render(request),
                usage,
                deadline=deadline,
                stream=True,
                stream_options={"include_usage": True},
            )
            finished = produced = False
            length = 0
            try:
                async for chunk in self.translated(chunks, deadline):
                    _count(usage, chunk)
                    choice = chunk.choices[0] if chunk.choices else None
                    if choice is None:
                        continue
                    finished = finished or choice.finish_reason is not None
                    if choice.delta.content:
                        produced = True
                        length += len(choice.delta.content)
                        self.check_length(length)
                        yield choice.delta.content
            finally:
                await chunks.close()
        if not finished:
            raise ProviderError(
                f"The answer stream from the LLM API at {self.endpoint} ended unfinished."
            )
        if not produced:
            raise ProviderError(f"The LLM API at {self.endpoint} streamed an empty answer.")

    async def structured(self, request: ModelRequest, schema: type[ModelT]) -> ModelT:
        """Return an answer that validates as `schema`, asking once more with the errors.

        Raises:
            ProviderError: when the API fails or both answers fail to validate.
        """
        conversation = _with_schema(render(request), schema)
        problem = ""
        for _attempt in range(STRUCTURED_ATTEMPTS):
            with model_call(self.name, self.model, request.role) as usage:
                reply = await self._create(
                    conversation, usage, response_format={"type": "json_object"}
                )
            text = _text_of(reply)
            self.check_length(len(text))
            try:
                return schema.model_validate_json(strip_code_fence(text))
            except ValidationError as exc:
                problem = validation_problem(exc)
            conversation = [*conversation, _assistant(text), _correction(problem)]
        raise ProviderError(
            f"The LLM API at {self.endpoint} gave no valid {schema.__name__} JSON "
            f"in {STRUCTURED_ATTEMPTS} attempts: {problem}."
        )

    async def _create(
        self,
        messages: Sequence[ChatMessage],
        usage: CallUsage,
        *,
        deadline: float | None = None,
        **options: Any,
    ) -> Any:
        """Call chat.completions.create, turning every failure into a ProviderError.

        The call must be answered by `deadline` (by default `max_seconds` from now).
        """
        create = self.client().chat.completions.create(
            model=self.model, messages=list(messages), **options
        )
        try:
            response = await self.bounded(create, deadline or self.deadline())
        except self.sdk_errors as exc:
            raise self.failure(exc) from None
        _count(usage, response)
        return response

    def _error(self, exc: Exception, *, streaming: bool = False) -> ProviderError:
        """Describe `exc` in one short sentence that carries no secret."""
        api = f"the LLM API at {self.endpoint}"
        if isinstance(exc, openai.APITimeoutError):
            return ProviderError(f"Timed out after {self.timeout:g}s waiting for {api}.")
        if isinstance(exc, openai.APIConnectionError) and streaming:
            return ProviderError(f"The answer stream from {api} broke off.")
        if isinstance(exc, openai.APIConnectionError):
            return ProviderError(f"Could not connect to {api}.")
        if isinstance(exc, openai.APIStatusError):
            return ProviderError(f"The LLM API at {self.endpoint} {self._status_summary(exc)}")
        if isinstance(exc, ValueError):
            return ProviderError(f"The LLM API at {self.endpoint} sent a malformed response.")
        return ProviderError(f"The LLM API at {self.endpoint} failed ({type(exc).__name__}).")

    def _status_summary(self, exc: openai.APIStatusError) -> str:
        """Return 'answered HTTP <status> (<code>): <message>' with any key redacted."""
        label = exc.code or exc.type
        summary = f"answered HTTP {exc.status_code}" + (f" ({label})" if label else "")
        message = exc.body.get("message") if isinstance(exc.body, dict) else None
        if not isinstance(message, str) or not message.strip():
            return summary + "."
        return f"{summary}: {self.redacted(message)}"


def _count(usage: CallUsage, response: Any) -> None:
    """Take the token counts of a response or of a stream's final usage chunk, if present."""
    reported = getattr(response, "usage", None)
    if reported is not None:
        usage.input_tokens = getattr(reported, "prompt_tokens", 0) or 0
        usage.output_tokens = getattr(reported, "completion_tokens", 0) or 0


def _text_of(response: Any) -> str:
    """Return the first choice's message content, or '' when there is none."""
    choices = getattr(response, "choices", None)
    message = getattr(choices[0], "message", None) if choices else None
    return (getattr(message, "content", None) or "") if message else ""


def _with_schema(messages: Sequence[ChatMessage], schema: type[BaseModel]) -> list[ChatMessage]:
    """Insert a system message with `schema`'s JSON schema after the leading system messages."""
    instruction: ChatMessage = {
        "role": "system",
        "content": "Reply with one JSON object and nothing else. It must validate against "
        f"this JSON schema:\n{json.dumps(schema.model_json_schema())}",
    }
    head = 0
    while head < len(messages) and messages[head]["role"] == "system":
        head += 1
    return [*messages[:head], instruction, *messages[head:]]


def strip_code_fence(text: str) -> str:
    """Return `text` without a surrounding ```json fence, which some local models add.

    String methods only, in linear time: a model's reply never meets a backtracking regex.
    """
    stripped = text.strip()
    if len(stripped) < 2 * len(FENCE) or not (
        stripped.startswith(FENCE) and stripped.endswith(FENCE)
    ):
        return text
    inner = stripped[len(FENCE) : -len(FENCE)]
    return inner.removeprefix("json").strip()


def _assistant(text: str) -> ChatMessage:
    """Return the model's rejected reply as an assistant message."""
    return {"role": "assistant", "content": text}


def _correction(problem: str) -> ChatMessage:
    """Return a user message asking the model to fix `problem`."""
    return {
        "role": "user",
        "content": f"That reply was not valid ({problem}). Reply again with only a JSON "
        "object that matches the schema.",
    }
