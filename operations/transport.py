"""Where the operator commands send chat requests, and what one turn brought back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from operations.client import StreamEvent, stream_chat_http, stream_chat_in_process

EventHandler = Callable[[StreamEvent], None]


class ServerUnreachable(Exception):
    """The live server could not be reached, or the connection broke mid-stream."""


@dataclass(frozen=True)
class ChatTarget:
    """A live server over HTTP when `url` is set; this process's pipeline otherwise."""

    url: str = ""
    token: str = ""
    client: httpx.AsyncClient | None = field(default=None, compare=False)

    def describe(self) -> str:
        """Say where requests go, for the commands' first line."""
        return self.url or "in-process"

    async def stream(self, body: dict[str, Any]) -> AsyncIterator[StreamEvent]:
        """Yield the events of one chat request.

        Raises:
            StreamRejected: when the request is refused before any event.
            ServerUnreachable: when the server cannot be reached over HTTP.
        """
        if not self.url:
            async for event in stream_chat_in_process(body):
                yield event
            return
        try:
            async for event in stream_chat_http(self.url, self.token, body, client=self.client):
                yield event
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise ServerUnreachable(f"Cannot reach {self.url}: {reason}") from exc


@dataclass
class TurnOutcome:
    """Every event of one turn, in order of arrival."""

    events: list[StreamEvent] = field(default_factory=list)

    def of(self, kind: str) -> list[StreamEvent]:
        """Return the events of one type."""
        return [event for event in self.events if event.event == kind]

    @property
    def done(self) -> dict[str, Any] | None:
        """Return the `done` payload, if the turn ended with one."""
        finished = self.of("done")
        return finished[-1].data if finished else None

    @property
    def error(self) -> dict[str, Any] | None:
        """Return the `error` payload, if the turn ended with one."""
        failed = self.of("error")
        return failed[-1].data if failed else None

    @property
    def text(self) -> str:
        """Return the streamed tokens, concatenated."""
        return "".join(event.data.get("text", "") for event in self.of("token"))


async def run_turn(
    target: ChatTarget, body: dict[str, Any], on_event: EventHandler | None = None
) -> TurnOutcome:
    """Send one chat request and collect its events, handing each to `on_event` on arrival."""
    outcome = TurnOutcome()
    async for event in target.stream(body):
        outcome.events.append(event)
        if on_event is not None:
            on_event(event)
    return outcome
