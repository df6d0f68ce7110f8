"""How a protocol writes one run's stream: one `WireFormat` object per stream.

`RunEventsConsumer.stream_run` (edge/streams.py) does the copying for every protocol: the
buffer's batches, heartbeats, the end of the body, the server's shutdown. What differs
between protocols is only what the bytes are, and that is all a wire format says:
the response headers, what goes before the first event, each batch of events, the
heartbeat and the frame that tells the client the server is stopping.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from edge.sse import HEARTBEAT, SSE_HEADERS
from runs.engine import RunEvent

StreamStop = dict[str, str]
"""Why a stream stops before its run's end: `code` and `message` (a resume goes on)."""
SHUTDOWN_EVENT: StreamStop = {"code": "server_shutdown", "message": "The server is shutting down."}
"""What every protocol's shutdown frame says: a resume on another process goes on."""
EVENTS_UNREADABLE: StreamStop = {
    "code": "redis_unavailable",
    "message": "The run's events cannot be read (Redis does not answer); resume shortly.",
}
"""What a stream says when Redis stops answering while it follows a run of another process."""


class WireFormat(ABC):
    """One run's stream in one protocol's bytes (a new object per stream: it may keep state)."""

    preamble: bytes = b""
    """What the body starts with, sent with the first events (most clients want nothing)."""
    heartbeat: bytes = HEARTBEAT
    """What keeps an idle connection open (an SSE comment, which every parser skips)."""

    def headers(self, run_id: str) -> list[tuple[bytes, bytes]]:
        """The response headers: SSE's and the run's id."""
        return [*SSE_HEADERS, (b"x-run-id", run_id.encode())]

    @abstractmethod
    def render(self, events: Sequence[RunEvent]) -> bytes:
        """The bytes of a batch of events (the batch with the terminal event ends the body)."""

    @abstractmethod
    def stopped(self, reason: StreamStop) -> bytes:
        """The frame that tells the client its stream stops here, and why (the run goes on).

        Said when the server stops (`SHUTDOWN_EVENT`) or the run's events cannot be read
        (`EVENTS_UNREADABLE`); a resume, on this process or another, continues the stream.
        """
