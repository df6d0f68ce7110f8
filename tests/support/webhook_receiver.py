"""A real loopback HTTP server that receives webhooks: it keeps each request, and can fail.

`fail_next(n)` answers the next n deliveries 500; `stop()` closes the port (a receiver that
is down) and `start()` opens the same one again.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from harness.ports import free_port


@dataclass
class Received:
    """One request as it arrived: its headers (names lower-cased) and its body's bytes."""

    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body, parsed."""
        return json.loads(self.body)


class WebhookReceiver:
    """Serve `POST /hook` on 127.0.0.1 from a daemon thread while in `with`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[Received] = []
        self.failures = 0
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """Where to send webhooks."""
        return f"http://127.0.0.1:{self.port}/hook"

    def __enter__(self) -> WebhookReceiver:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Listen on the receiver's port."""
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self.handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Close the port: deliveries are refused until `start`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def fail_next(self, count: int) -> None:
        """Answer the next `count` deliveries 500."""
        with self.lock:
            self.failures = count

    def for_run(self, run_id: str, key: str = "runId") -> list[Received]:
        """The requests received about one run (`key`: where the payload names it)."""
        with self.lock:
            return [r for r in self.received if r.json().get(key) == run_id]

    def reply(self, received: Received) -> int:
        """Keep the request; the status to answer."""
        with self.lock:
            self.received.append(received)
            if self.failures:
                self.failures -= 1
                return 500
        return 204

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """The request handler class bound to this receiver."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {name.lower(): value for name, value in self.headers.items()}
                status = receiver.reply(Received(headers, body))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                """Keep the test output quiet."""

        return Handler
