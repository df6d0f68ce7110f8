"""Shutdown lets the streams' last bytes leave before the reactor drops every connection."""

from __future__ import annotations

from runs.shutdown import drained


class Reactor:
    """The one thing `drained` asks of Twisted's reactor: which transports have bytes left."""

    def __init__(self, pending_polls: int) -> None:
        self.pending_polls = pending_polls

    def getWriters(self) -> list[str]:  # noqa: N802 (Twisted's name)
        self.pending_polls -= 1
        return ["transport"] if self.pending_polls >= 0 else []


async def test_it_waits_until_no_transport_has_bytes_to_write():
    reactor = Reactor(pending_polls=3)
    assert await drained(reactor, timeout=5) is True
    assert reactor.pending_polls < 0


async def test_it_gives_up_after_its_timeout():
    assert await drained(Reactor(pending_polls=10**9), timeout=0.05) is False
