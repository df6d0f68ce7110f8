"""The one small interface every LLM provider implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Literal, TypedDict, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from llm.requests import ModelRequest


class ChatMessage(TypedDict):
    """One message of a chat-completions style conversation."""

    role: Literal["system", "user", "assistant"]
    content: str


ModelT = TypeVar("ModelT", bound=BaseModel)
Role = Literal["planner", "worker", "critic", "synthesizer", "summariser"]
ROLES: tuple[Role, ...] = ("planner", "worker", "critic", "synthesizer", "summariser")


class ProviderError(Exception):
    """The LLM provider failed: unreachable, refused the request, or answered unusably."""


def endpoint_of(base_url: str) -> str:
    """Return a URL's host and port, without credentials or path, for error messages."""
    parts = urlsplit(base_url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.hostname or '?'}{port}"


def validation_problem(exc: ValidationError) -> str:
    """Return the first few validation errors as 'field: problem', without the input."""
    errors = exc.errors(include_url=False, include_input=False)[:3]
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'reply'}: {e['msg']}" for e in errors)


class LLMProvider(ABC):
    """Async text generation for typed requests: whole answers, streams, structured output.

    A provider renders each request with `llm.requests.render`, and reports every call it
    makes (usage meter and OpenTelemetry span) with `llm.observe.model_call`, under the
    request's role.
    """

    name: str = "provider"
    """builtin, openai or anthropic."""
    model: str = ""
    """The model the provider asks for."""

    @abstractmethod
    async def complete(self, request: ModelRequest) -> str:
        """Return the whole answer to `request`."""

    @abstractmethod
    def stream(self, request: ModelRequest) -> AsyncIterator[str]:
        """Yield the answer to `request` piece by piece, in order, as it is generated."""

    @abstractmethod
    async def structured(self, request: ModelRequest, schema: type[ModelT]) -> ModelT:
        """Return an answer to `request` that validates as `schema`.

        Raises:
            ProviderError: when the model's output does not validate (after any retries).
        """

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most providers hold nothing
        """Release network resources, if any."""

    def models(self) -> dict[str, str]:
        """Return 'provider:model' per role: this one provider answers every role."""
        return {role: self.describe() for role in ROLES}

    def describe(self) -> str:
        """Return 'provider:model' (just the provider when it has no model name)."""
        return f"{self.name}:{self.model}" if self.model else self.name
