"""The one small interface every LLM provider implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from typing import Literal, TypedDict, TypeVar

from pydantic import BaseModel


class ChatMessage(TypedDict):
    """One message of a chat-completions style conversation."""

    role: Literal["system", "user", "assistant"]
    content: str


ModelT = TypeVar("ModelT", bound=BaseModel)


class ProviderError(Exception):
    """The LLM provider failed: unreachable, refused the request, or answered unusably."""


class LLMProvider(ABC):
    """Async text generation: whole answers, token streams and validated structured output."""

    name: str = "provider"

    @abstractmethod
    async def complete(self, messages: Sequence[ChatMessage]) -> str:
        """Return the whole answer to `messages`."""

    @abstractmethod
    def stream(self, messages: Sequence[ChatMessage]) -> AsyncIterator[str]:
        """Yield the answer to `messages` piece by piece, in order, as it is generated."""

    @abstractmethod
    async def structured(self, messages: Sequence[ChatMessage], schema: type[ModelT]) -> ModelT:
        """Return an answer to `messages` that validates as `schema`.

        Raises:
            ProviderError: when the model's output does not validate (after any retries).
        """

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most providers hold nothing
        """Release network resources, if any."""
