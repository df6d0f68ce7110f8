"""HTTP over a raw socket: requests no well-behaved client would send, answers read by hand."""

from __future__ import annotations

import json
import select
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class RawResponse:
    """A parsed response: status line, headers (lower-case), body, and seconds it took."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> Any:
        """Decode the body as JSON."""
        return json.loads(self.body)


def parse_response(raw: bytes, seconds: float) -> RawResponse:
    """Parse the first response in `raw` (skipping any `100 Continue`)."""
    while raw.startswith(b"HTTP/1.1 100"):
        raw = raw.split(b"\r\n\r\n", 1)[1]
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    _, status, reason = status_line.split(" ", 2)
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = body[: int(headers["content-length"])]
    return RawResponse(int(status), reason, headers, body, seconds)


def complete(raw: bytes) -> bool:
    """Whether `raw` holds a whole response with a Content-Length body."""
    while raw.startswith(b"HTTP/1.1 100"):
        raw = raw.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in raw else b""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return body.endswith(b"0\r\n\r\n")


def exchange(port: int, head: bytes, body: bytes = b"", *, timeout: float = 10) -> RawResponse:
    """Send `head` and `body`, then read until a whole response or the connection closes.

    `seconds` is measured from the moment everything was sent.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head + body)
        sent_at = time.monotonic()
        raw = read_response(sock, b"")
    return parse_response(raw, time.monotonic() - sent_at)


def read_response(sock: socket.socket, raw: bytes) -> bytes:
    """Read after `raw` until a whole response is in, or the server closes or resets."""
    while not complete(raw):
        try:
            data = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not data:
            break
        raw += data
    return raw


def upload(port: int, head: bytes, chunks: Any, *, timeout: float = 10) -> RawResponse:
    """Send `head`, then body chunks until the server answers or stops reading.

    `seconds` is measured from the end of the head: the answer must not wait for the body.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        started = time.monotonic()
        raw = b""
        for chunk in chunks:
            raw += readable_now(sock)
            if complete(raw):
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break
        raw = read_response(sock, raw)
    return parse_response(raw, time.monotonic() - started)


def readable_now(sock: socket.socket) -> bytes:
    """Read what the socket has at this moment, without waiting."""
    raw = b""
    while select.select([sock], [], [], 0)[0]:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            return raw
        if not data:
            return raw
        raw += data
    return raw


def rss_kib(pid: int) -> int:
    """The resident memory of a process, in KiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")
