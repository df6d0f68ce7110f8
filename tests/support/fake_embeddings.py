"""A real loopback HTTP server that stands in for an OpenAI-compatible `/embeddings` endpoint.

Each input's vector is given by the test's `vectors` (by text), else a vector of ones; a
status other than 200 answers OpenAI's error object; `short` answers one embedding too few.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeEmbeddings:
    """Serve `POST /v1/embeddings` on 127.0.0.1 from a daemon thread while in `with`."""

    def __init__(
        self,
        vectors: dict[str, list[float]] | None = None,
        *,
        status: int = 200,
        short: bool = False,
    ) -> None:
        self.vectors = vectors or {}
        self.status = status
        self.short = short
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The URL to configure as the client's base URL."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeEmbeddings:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reply(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The status and body answering one request."""
        self.requests.append(request)
        if self.status != 200:
            error = {"message": "the model is overloaded", "type": "server_error", "code": None}
            return self.status, {"error": error}
        texts = request["input"] if isinstance(request["input"], list) else [request["input"]]
        rows = [
            {"object": "embedding", "index": index, "embedding": self.vectors.get(text, [1.0] * 4)}
            for index, text in enumerate(texts)
        ]
        rows = rows[:-1] if self.short else list(reversed(rows))  # any order: by `index`
        usage = {"prompt_tokens": len(texts), "total_tokens": len(texts)}
        return 200, {"object": "list", "data": rows, "model": request["model"], "usage": usage}

    def handler(self) -> type[BaseHTTPRequestHandler]:
        """The request handler, bound to this fake."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                status, body = fake.reply(request)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                """Quiet."""

        return Handler
