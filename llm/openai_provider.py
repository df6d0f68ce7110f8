"""An LLM provider for any OpenAI-compatible chat-completions API, through the `openai` package."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Sequence
from typing import Any

import openai
from pydantic import BaseModel, ValidationError

from llm.base import (
    ChatMessage,
    LLMProvider,
    ModelT,
    ProviderError,
    endpoint_of,
    validation_problem,
)
from llm.observe import CallUsage, model_call
from llm.requests import ModelRequest, render

# The openai client refuses to start without a key; local compatible servers need none.
NO_KEY_PLACEHOLDER = "not-needed"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
STRUCTURED_ATTEMPTS = 2
_SECRET_LIKE = re.compile(r"sk-[A-Za-z0-9_*\-]{3,}")
_CODE_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


class OpenAIProvider(LLMProvider):
    """Chat completions from OpenAI or any server that speaks its API (vLLM, Ollama, ...)."""

    name = "openai"

    def __init__(
        self,
        *,
        model: str | None = None,
        api_key: str = "",
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
    ) -> None:
        self.model = model or DEFAULT_MODEL
        self.base_url = base_url or DEFAULT_BASE_URL
        self.timeout = timeout
        self.max_retries = max_retries
        self._api_key = api_key
        self._client: openai.AsyncOpenAI | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    @property
    def endpoint(self) -> str:
        """Return the API's host and port, without credentials, for error messages."""
        return endpoint_of(self.base_url)

    async def complete(self, request: ModelRequest) -> str:
        """Return the whole answer to `request`."""
        with model_call(self.name, self.model, request.role) as usage:
            text = _text_of(await self._create(render(request), usage))
        if not text:
            raise ProviderError(f"The LLM API at {self.endpoint} returned an empty answer.")
        return text

    async def stream(self, request: ModelRequest) -> AsyncIterator[str]:
        """Yield the non-empty pieces of the answer in order; raise if the stream breaks off."""
        with model_call(self.name, self.model, request.role) as usage:
            chunks = await self._create(
                render(request), usage, stream=True, stream_options={"include_usage": True}
            )
            finished = produced = False
            try:
                async for chunk in self._translated(chunks):
                    _count(usage, chunk)
                    choice = chunk.choices[0] if chunk.choices else None
                    if choice is None:
                        continue
                    finished = finished or choice.finish_reason is not None
                    if choice.delta.content:
                        produced = True
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
            try:
                return schema.model_validate_json(_strip_code_fence(text))
            except ValidationError as exc:
                problem = validation_problem(exc)
            conversation = [*conversation, _assistant(text), _correction(problem)]
        raise ProviderError(
            f"The LLM API at {self.endpoint} gave no valid {schema.__name__} JSON "
            f"in {STRUCTURED_ATTEMPTS} attempts: {problem}."
        )

    async def aclose(self) -> None:
        """Close the HTTP client; one left on a finished event loop is simply dropped."""
        client, loop = self._client, self._client_loop
        self._client = self._client_loop = None
        if client is not None and loop is asyncio.get_running_loop():
            await client.close()

    def _client_for_running_loop(self) -> openai.AsyncOpenAI:
        """Return the client of the running event loop: pooled connections cannot cross loops."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            self._client = openai.AsyncOpenAI(
                api_key=self._api_key or NO_KEY_PLACEHOLDER,
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=self.max_retries,
            )
            self._client_loop = loop
        return self._client

    async def _create(
        self, messages: Sequence[ChatMessage], usage: CallUsage, **options: Any
    ) -> Any:
        """Call chat.completions.create, turning every failure into a ProviderError."""
        client = self._client_for_running_loop()
        try:
            response = await client.chat.completions.create(
                model=self.model, messages=list(messages), **options
            )
        except (openai.OpenAIError, ValueError) as exc:
            raise self._error(exc) from _safe_cause(exc)
        _count(usage, response)
        return response

    async def _translated(self, chunks: Any) -> AsyncIterator[Any]:
        """Yield the stream's chunks, turning failures mid-stream into a ProviderError."""
        iterator = aiter(chunks)
        while True:
            try:
                chunk = await anext(iterator)
            except StopAsyncIteration:
                return
            except (openai.OpenAIError, ValueError) as exc:
                raise self._error(exc, streaming=True) from _safe_cause(exc)
            yield chunk

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
        if self._api_key:
            message = message.replace(self._api_key, "***")
        return f"{summary}: {_SECRET_LIKE.sub('sk-***', message.strip())[:200]}"


def _count(usage: CallUsage, response: Any) -> None:
    """Take the token counts of a response or of a stream's final usage chunk, if present."""
    reported = getattr(response, "usage", None)
    if reported is not None:
        usage.input_tokens = getattr(reported, "prompt_tokens", 0) or 0
        usage.output_tokens = getattr(reported, "completion_tokens", 0) or 0


def _safe_cause(exc: Exception) -> Exception | None:
    """Return `exc` to chain, unless it is a status error whose body may echo a secret."""
    return None if isinstance(exc, openai.APIStatusError) else exc


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


def _strip_code_fence(text: str) -> str:
    """Return `text` without a surrounding ```json fence, which some local models add."""
    match = _CODE_FENCE.match(text.strip())
    return match.group(1) if match else text


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
