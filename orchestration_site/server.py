"""The server entry point: daphne, refusing oversized bodies before it holds them.

`python -m orchestration_site.server -b HOST -p PORT [options] [module:application]` takes
daphne's usual options (`--help`), and `--note-file PATH` to print with the URLs once it listens;
the application defaults to this project's. Before
serving it runs the system checks, including the deployment check on development secrets
(`accounts.E001`/`E002`), and exits non-zero when any fails.

Why not plain `daphne`: Twisted buffers a request's whole body (`Request.gotLength` /
`handleContentChunk` write it to `self.content`) before daphne hands any of it to the
application, so an application cannot refuse a 200 MB upload before it is in memory.
`BoundedRequest` is daphne's request class with a limit: as soon as the declared length,
or the chunked bytes received so far, exceed MAX_BODY_BYTES it answers 413 (JSON), stops
keeping the body, half-closes and drops the connection shortly after. It also gives every
status its RFC 9110 reason phrase (Twisted answers 422 and 429 with "Unknown Status").

TCP endpoints listen with a backlog of LISTEN_BACKLOG connections instead of Twisted's 50:
with more clients connecting at once the kernel drops their handshakes, and they retry after
one second or more (or see a reset).

Once the application is imported, everything allocated so far (Django, LangGraph, the
models' metadata: ~1M objects that live as long as the process) is frozen out of the garbage
collector's generations, and the youngest generation is collected less often: requests then
stop paying for full collections that walk the start-up heap (docs/benchmark.md).
"""

from __future__ import annotations

import gc
import importlib
import json
import logging
import os
import re
import sys
from http import HTTPStatus
from io import BytesIO
from pathlib import Path

import daphne.server  # installs daphne's asyncio reactor: import it before Twisted's reactor
from daphne.http_protocol import HTTPFactory, WebRequest
from twisted.internet import reactor

logger = logging.getLogger(__name__)

DEFAULT_APPLICATION = "orchestration_site.asgi:application"
APPLICATION_ARG = re.compile(r"^[\w.]+:[\w.]+$")
# Phrases that RFC 9110 renamed (Python 3.11's HTTPStatus still has the old ones).
REASONS = {413: b"Content Too Large", 422: b"Unprocessable Content"}
# How long a refused upload may keep its connection open while we discard what it sends.
TOO_LARGE = {"type": "invalid_request_error", "param": None, "code": "request_too_large"}
LINGER_SECONDS = 2.0
# Connections the kernel queues for accept() (capped by net.core.somaxconn).
LISTEN_BACKLOG = 1024
# Allocations between two collections of the youngest generation (Python's default: 700).
GC_GEN0_THRESHOLD = 10_000


def reason_phrase(code: int) -> bytes:
    """Return the reason phrase of a status code."""
    if code in REASONS:
        return REASONS[code]
    try:
        return HTTPStatus(code).phrase.encode()
    except ValueError:
        return b"Unknown Status"


class BoundedRequest(WebRequest):
    """Daphne's request with a body limit (`max_body_bytes`) and RFC 9110 reason phrases."""

    max_body_bytes = 1_048_576

    def __init__(self, *args: object, **kwargs: object) -> None:
        """Start with nothing received and nothing refused."""
        self.body_received = 0
        self.refused = False
        super().__init__(*args, **kwargs)

    def setResponseCode(self, code: int, message: bytes | None = None) -> None:  # noqa: N802
        """Set the status with its proper reason phrase."""
        super().setResponseCode(code, message or reason_phrase(code))

    def gotLength(self, length: int | None) -> None:  # noqa: N802
        """Refuse at once a declared length over the limit; else buffer as daphne does."""
        if length is not None and length > self.max_body_bytes:
            self.content = BytesIO()
            # No "100 Continue" for a body we refuse (Twisted sends it after this method).
            self.requestHeaders.removeHeader(b"Expect")
            self.refuse_body()
            return
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:  # noqa: N802
        """Keep a chunk of the body, or drop it once the body is over the limit."""
        if self.refused:
            return
        self.body_received += len(data)
        if self.body_received > self.max_body_bytes:
            self.content.close()
            self.content = BytesIO()
            self.refuse_body()
            return
        super().handleContentChunk(data)

    def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:  # noqa: N802
        """Hand a complete request to daphne, unless its body was refused."""
        if not self.refused:
            super().requestReceived(command, path, version)

    def refuse_body(self) -> None:
        """Answer 413 directly on the transport, then stop reading and close."""
        self.refused = True
        message = f"Request body larger than {self.max_body_bytes} bytes"
        # Before its path is read: one body for every surface (the chat API reads `detail`,
        # OpenAI clients `error`).
        body = json.dumps({"detail": message, "error": {**TOO_LARGE, "message": message}}).encode()
        head = (
            b"HTTP/1.1 413 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n" % (reason_phrase(413), len(body))
        )
        transport = self.channel.transport
        transport.write(head + body)
        # Half-close: the client reads the answer while what it still sends is discarded
        # (closing outright would reset the connection and could lose the answer).
        transport.loseWriteConnection()
        reactor.callLater(LINGER_SECONDS, self.drop_connection)
        logger.warning("refused a request body over %d bytes", self.max_body_bytes)

    def drop_connection(self) -> None:
        """Close a refused connection the client has not closed yet."""
        if self.channel is not None and self.channel.transport is not None:
            self.channel.transport.abortConnection()


class BoundedHTTPFactory(HTTPFactory):
    """Daphne's HTTP factory, building BoundedRequest."""

    def buildProtocol(self, addr: object) -> object:  # noqa: N802
        """Build daphne's protocol with our request class."""
        protocol = super().buildProtocol(addr)
        protocol.requestFactory = BoundedRequest
        return protocol


def refuse_failed_checks() -> None:
    """Run the system checks (and the deployment check on secrets); exit when one fails."""
    from django.conf import settings
    from django.core import checks

    from accounts.checks import TAG

    found = checks.run_checks() + checks.run_checks(include_deployment_checks=True, tags=[TAG])
    serious = [message for message in found if message.is_serious()]
    for message in serious:
        sys.stderr.write(f"{message}\n")
    if serious:
        sys.stderr.write("Refusing to start: fix the settings above (see .env.example).\n")
        sys.exit(1)
    if settings.ALLOW_INSECURE_DEFAULTS and not settings.DEBUG:
        sys.stderr.write(
            "Development settings (ALLOW_INSECURE_DEFAULTS=true): development secrets are "
            "accepted. Fine on loopback; never expose this server.\n"
        )
    if settings.SERVICE_KEY_USER:
        sys.stderr.write(
            f"The service key acts as user {settings.SERVICE_KEY_USER!r} when a request names "
            "no user (SERVICE_KEY_USER).\n"
        )


def with_backlog(endpoints: list[str]) -> list[str]:
    """Add `backlog=LISTEN_BACKLOG` to daphne's TCP endpoint strings that have none."""
    return [
        f"{endpoint}:backlog={LISTEN_BACKLOG}"
        if endpoint.startswith("tcp:") and "backlog=" not in endpoint
        else endpoint
        for endpoint in endpoints
    ]


def daphne_arguments(argv: list[str]) -> list[str]:
    """Return daphne's arguments, with this project's application unless one is named."""
    if argv and APPLICATION_ARG.fullmatch(argv[-1]):
        return argv
    return [*argv, DEFAULT_APPLICATION]


def settle_start_up_heap(application: str) -> None:
    """Import `application`, then keep the start-up objects out of every later collection."""
    module, _, _ = application.partition(":")
    importlib.import_module(module)
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, older, oldest)


def notes_out_of(argv: list[str]) -> tuple[list[str], list[str]]:
    """Take this server's own `--note-file PATH` options out of daphne's arguments.

    `make run` hands over what `ensureadmin` said (a new admin's password) in a file only its
    user can read, never on a command line (which any local user reads with `ps`): the file
    is read and removed here, and its text printed again with the URLs, after daphne's
    start-up lines, where it is seen.
    """
    notes, rest, items = [], [], iter(argv)
    for item in items:
        if item == "--note-file":
            notes.append(read_note(next(items, "")))
        else:
            rest.append(item)
    return [note for note in notes if note.strip()], rest


def read_note(path: str) -> str:
    """The text of a note file, which is removed once read ("" when there is none)."""
    note = Path(path)
    try:
        text = note.read_text()
    except OSError:
        return ""
    note.unlink(missing_ok=True)
    return text


def where_to_go(arguments: list[str], notes: list[str] = ()) -> str:
    """Say where the server's pages are, from daphne's `-b HOST -p PORT` ("" without them)."""
    options = dict(zip(arguments[::2], arguments[1::2], strict=False))
    host, port = options.get("-b"), options.get("-p")
    if not host or not port:
        return ""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
    pages = [("playground", "/"), ("admin", "/admin/"), ("API docs", "/docs")]
    pages += [("dashboard", "/admin/telemetry/requestmetric/dashboard/"), ("metrics", "/metrics")]
    lines = [f"Serving {base}/ (Ctrl-C to stop)"]
    lines += [f"  {name:<11} {base}{path}" for name, path in pages]
    lines += [note.strip() for note in notes]
    return "\n".join(lines) + "\n"


def announce(arguments: list[str], notes: list[str]) -> None:
    """Print where the pages are once daphne listens (after its own start-up lines)."""
    text = where_to_go(arguments, notes)
    if not text:
        return
    from twisted.internet import reactor

    reactor.callWhenRunning(lambda: (sys.stderr.write(text), sys.stderr.flush()))


def main(argv: list[str] | None = None) -> None:
    """Check the settings, then run daphne with the bounded request class."""
    import django
    from daphne import cli
    from django.conf import settings

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orchestration_site.settings")
    django.setup()
    refuse_failed_checks()
    BoundedRequest.max_body_bytes = settings.MAX_BODY_BYTES
    # Server.run() builds its factory from this module global: the one hook daphne offers.
    daphne.server.HTTPFactory = BoundedHTTPFactory
    # Access lines as records of the `access` logger, in LOG_FORMAT like every other line.
    from telemetry.access_log import LoggingAccessLog

    cli.AccessLogGenerator = LoggingAccessLog
    endpoints = cli.build_endpoint_description_strings
    cli.build_endpoint_description_strings = lambda **kw: with_backlog(endpoints(**kw))
    notes, given = notes_out_of(sys.argv[1:] if argv is None else argv)
    arguments = daphne_arguments(given)
    settle_start_up_heap(arguments[-1])
    announce(arguments, notes)
    cli.CommandLineInterface().run(arguments)


if __name__ == "__main__":
    main()
