"""A loopback TCP proxy that can drop a streamed response mid-way and switch upstreams.

What a flaky mobile network or a restarting load balancer does to a client: the socket of
a stream closes part-way through, and the reconnect may land on another server. Clients
see the proxy's address only, so their reconnects go through it too.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

CHUNK = 65536
RESET = struct.pack("ii", 1, 0)
"""SO_LINGER on, zero seconds: close() sends a RST instead of a FIN."""


@dataclass
class CutPlan:
    """Drop the next response that is an event stream once `after_bytes` of it passed."""

    after_bytes: int
    switch_to: int | None = None
    """The upstream that later connections go to, once the cut happened."""
    done: threading.Event = field(default_factory=threading.Event)


class Proxy:
    """Forwards each connection to the current upstream; see `cut_next_stream`."""

    def __init__(self, upstreams: list[str]) -> None:
        """Listen on a free loopback port; `upstreams` are base URLs (http://host:port)."""
        self.upstreams = [(urlsplit(url).hostname, urlsplit(url).port) for url in upstreams]
        self.current = 0
        self.plan: CutPlan | None = None
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.sockets: list[socket.socket] = []
        self.connections = 0
        threading.Thread(target=self.accept, daemon=True).start()

    def cut_next_stream(self, after_bytes: int, switch_to: int | None = None) -> CutPlan:
        """Arm a cut of the next `text/event-stream` response; returns the plan to wait on."""
        with self.lock:
            self.plan = CutPlan(after_bytes, switch_to)
            return self.plan

    def accept(self) -> None:
        """Accept connections until closed."""
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                upstream = self.upstreams[self.current]
                self.connections += 1
            server = socket.create_connection(upstream)  # type: ignore[arg-type]
            self.sockets += [client, server]
            threading.Thread(target=self.pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self.pump, args=(server, client, True), daemon=True).start()

    def pump(self, source: socket.socket, target: socket.socket, response: bool) -> None:
        """Copy bytes one way; on the response side, apply an armed cut."""
        sent, streaming, plan = 0, False, None
        with contextlib.suppress(OSError):
            while data := source.recv(CHUNK):
                if response and not streaming and b"text/event-stream" in data:
                    streaming = True
                    with self.lock:
                        plan, self.plan = self.plan, None
                if plan is not None and sent + len(data) > plan.after_bytes:
                    target.sendall(data[: max(plan.after_bytes - sent, 0)])
                    self.drop(source, target, plan)
                    return
                target.sendall(data)
                sent += len(data)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)

    def drop(self, source: socket.socket, target: socket.socket, plan: CutPlan) -> None:
        """Close both sides at once (as a dead network looks), then switch upstreams."""
        with self.lock:
            if plan.switch_to is not None:
                self.current = plan.switch_to
        for sock in (target, source):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET)
                # shutdown() first: close() alone leaves the socket open while the other pump
                # thread is blocked in recv() on it, and the client would never notice.
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
        plan.done.set()

    def close(self) -> None:
        """Stop listening and close every connection."""
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.close()


@contextlib.contextmanager
def proxy(*upstreams: str) -> Iterator[Proxy]:
    """A proxy in front of `upstreams` (the first is current), closed afterwards."""
    running = Proxy(list(upstreams))
    try:
        yield running
    finally:
        running.close()
