"""What the providers of hosted APIs share: settings, one client per event loop, safe errors."""

from __future__ import annotations

import asyncio
import re
from abc import abstractmethod
from collections.abc import AsyncIterator, Awaitable
from typing import Any, ClassVar, TypeVar

from llm.base import LLMProvider, ProviderError, endpoint_of

# The SDKs refuse to start without a key; local compatible servers and gateways need none.
NO_KEY_PLACEHOLDER = "not-needed"
_SECRET_LIKE = re.compile(r"sk-[A-Za-z0-9_*\-]{3,}")
T = TypeVar("T")


class RemoteProvider(LLMProvider):
    """A provider that calls an HTTP API through its vendor's async SDK client."""

    default_model: ClassVar[str]
    default_base_url: ClassVar[str]
    sdk_errors: ClassVar[tuple[type[Exception], ...]]
    """What the SDK raises; each is turned into a ProviderError by `_error`."""
    status_error: ClassVar[type[Exception]]
    """The SDK's HTTP status error, whose body may echo a secret (never chained)."""

    def __init__(
        self,
        *,
        model: str | None = None,
        api_key: str = "",
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        max_seconds: float = 120.0,
        max_output_chars: int = 32_000,
    ) -> None:
        self.model = model or self.default_model
        self.base_url = base_url or self.default_base_url
        self.timeout = timeout
        """Seconds the SDK waits for any one response or chunk (a gap, not the whole call)."""
        self.max_retries = max_retries
        self.max_seconds = max_seconds
        """Seconds one call may take in all, a stream's every chunk included."""
        self.max_output_chars = max_output_chars
        """Characters one answer may have; a longer one fails the call."""
        self._api_key = api_key
        self._client: Any = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    @property
    def endpoint(self) -> str:
        """Return the API's host and port, without credentials, for error messages."""
        return endpoint_of(self.base_url)

    @abstractmethod
    def _new_client(self, api_key: str) -> Any:
        """Build the SDK's async client."""

    @abstractmethod
    def _error(self, exc: Exception, *, streaming: bool = False) -> ProviderError:
        """Describe an SDK failure in one short sentence that carries no secret."""

    def client_options(self) -> dict[str, Any]:
        """Return the SDK client's options besides the key."""
        return {"base_url": self.base_url, "timeout": self.timeout, "max_retries": self.max_retries}

    def client(self) -> Any:
        """Return the client of the running event loop: pooled connections cannot cross loops."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            self._client = self._new_client(self._api_key or NO_KEY_PLACEHOLDER)
            self._client_loop = loop
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP client; one left on a finished event loop is simply dropped."""
        client, loop = self._client, self._client_loop
        self._client = self._client_loop = None
        if client is not None and loop is asyncio.get_running_loop():
            await client.close()

    def failure(self, exc: Exception, *, streaming: bool = False) -> ProviderError:
        """Return `exc` as a ProviderError chained to it, unless its body may echo a secret."""
        error = self._error(exc, streaming=streaming)
        error.__cause__ = None if isinstance(exc, self.status_error) else exc
        error.__suppress_context__ = True
        return error

    def deadline(self) -> float:
        """Return the event-loop time by which a call starting now must have ended."""
        return asyncio.get_running_loop().time() + self.max_seconds

    def too_slow(self) -> ProviderError:
        """The error of a call past `max_seconds`."""
        return ProviderError(
            f"The LLM API at {self.endpoint} took longer than {self.max_seconds:g}s in all."
        )

    def too_long(self) -> ProviderError:
        """The error of an answer past `max_output_chars`."""
        return ProviderError(
            f"The LLM API at {self.endpoint} answered more than {self.max_output_chars} characters."
        )

    async def bounded(self, call: Awaitable[T], deadline: float) -> T:
        """Await `call` until `deadline` at the latest (ProviderError past it)."""
        try:
            async with asyncio.timeout_at(deadline):
                return await call
        except TimeoutError:
            raise self.too_slow() from None

    async def translated(self, stream: Any, deadline: float) -> AsyncIterator[Any]:
        """Yield a stream's items until `deadline`, turning failures into a ProviderError.

        The deadline bounds each wait for an item, never the consumer's work between them.
        """
        iterator = aiter(stream)
        while True:
            try:
                async with asyncio.timeout_at(deadline):
                    item = await anext(iterator)
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise self.too_slow() from None
            except self.sdk_errors as exc:
                raise self.failure(exc, streaming=True) from None
            yield item

    def check_length(self, produced: int) -> None:
        """Raise when an answer has passed `max_output_chars` characters."""
        if produced > self.max_output_chars:
            raise self.too_long()

    def redacted(self, message: str) -> str:
        """Return an API's error message without the key or anything that looks like one."""
        if self._api_key:
            message = message.replace(self._api_key, "***")
        return _SECRET_LIKE.sub("sk-***", message.strip())[:200]
