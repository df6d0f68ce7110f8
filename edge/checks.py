"""The stream's edge: every check made before a stream request's body is read or used.

In order, from the ASGI scope alone: the method (405), header bytes UTF-8 (400), the Host one
of ALLOWED_HOSTS (400), the caller authenticated (401; 429 after too many failed keys from
the client's address or too many requests of the key), the body JSON (415) and its declared
length within MAX_BODY_BYTES (413). A body labelled `text/plain`, or not labelled, is read as
JSON too when the request authenticates with a key header, as every route here does: Node's
`fetch` labels a string body `text/plain` (LangGraph's Next.js passthrough forwards bodies so),
and a request with such a header is preflighted by browsers, so this opens no cross-site form
post. Any other type is a 415. Then the body is collected up to that limit (413 past it,
chunked bodies included). Parsing it within bounds (edge/bounded_json.py), validating it and
binding it to the caller is each protocol's (the chat stream's: protocols/native/requests.py).

Under our server entry point (`orchestration_site.server`) daphne itself refuses a body
over MAX_BODY_BYTES before holding it; these checks keep the consumer safe under any
ASGI server.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http.request import split_domain_port, validate_host

from accounts.addresses import client_address
from accounts.callers import Caller, token_from_headers
from accounts.limits import RateLimited, StreamSlot, identify
from edge.errors import RequestRejected, failure_of

logger = logging.getLogger(__name__)

JSON_TYPES = ("application/json",)
LOOSE_TYPES = ("text/plain", "")
"""What a key-authenticated request's JSON body may be labelled instead (or not labelled)."""


def decoded_headers(scope: dict[str, Any]) -> dict[str, str]:
    """Return the scope's headers as lower-case names to values; 400 unless UTF-8."""
    try:
        return {name.decode().lower(): value.decode() for name, value in scope["headers"]}
    except UnicodeDecodeError:
        raise RequestRejected(400, "Header bytes must be valid UTF-8") from None


def check_host(scope: dict[str, Any], headers: dict[str, str]) -> None:
    """Refuse a Host that is not one of ALLOWED_HOSTS (as Django does for its views)."""
    host = headers.get("host")
    if host is None and scope.get("server"):
        server_host, port = scope["server"]
        host = f"{server_host}:{port}"
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _ = split_domain_port(host or "")
    if not domain or not validate_host(domain, allowed):
        raise RequestRejected(400, "Invalid Host header: add it to ALLOWED_HOSTS")


def check_body_headers(headers: dict[str, str]) -> None:
    """Require a JSON Content-Type (415) and a Content-Length within MAX_BODY_BYTES (413)."""
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    loose = media_type in LOOSE_TYPES and token_from_headers(headers) is not None
    if media_type not in JSON_TYPES and not loose:
        raise RequestRejected(415, "Content-Type must be application/json")
    length = headers.get("content-length")
    if length is None:
        return
    if not length.strip().isdigit():
        raise RequestRejected(400, "Content-Length must be a number")
    if int(length) > settings.MAX_BODY_BYTES:
        raise too_large()


def has_body(headers: dict[str, str]) -> bool:
    """Whether the request says it has a body (a non-zero length, or a chunked one)."""
    return headers.get("content-length", "0").strip() not in {"", "0"} or (
        "transfer-encoding" in headers
    )


def too_large() -> RequestRejected:
    """The 413 of a body over MAX_BODY_BYTES."""
    return RequestRejected(413, f"Request body larger than {settings.MAX_BODY_BYTES} bytes")


def rate_limited(limited: RateLimited) -> RequestRejected:
    """The 429 of a rate limit, with Retry-After."""
    return RequestRejected(429, limited.detail, {"Retry-After": str(limited.retry_after)})


def check_request(scope: dict[str, Any], *methods: str) -> dict[str, str]:
    """Check the method is one of `methods` (405), header bytes and Host (400); the headers."""
    if scope["method"] not in methods:
        allowed = ", ".join(methods)
        raise RequestRejected(405, f"Method not allowed: use {allowed}", {"Allow": allowed})
    headers = decoded_headers(scope)
    check_host(scope, headers)
    return headers


async def admit_caller(scope: dict[str, Any], *methods: str) -> Caller:
    """`check_request`, then the credentials (401, 429); the caller."""
    return await authenticate(scope, check_request(scope, *methods))


async def authenticate(scope: dict[str, Any], headers: dict[str, str]) -> Caller:
    """Resolve the caller; 401 when nobody, 429 past a limit."""
    peer = (scope.get("client") or ["unknown"])[0]
    address = client_address(peer, headers.get("x-forwarded-for"))
    try:
        caller = await identify(address, headers)
    except RateLimited as limited:
        raise rate_limited(limited) from None
    if caller is None:
        raise RequestRejected(401, "Unauthorized")
    return caller


class RequestEdge:
    """The checks of one stream request, from its first body message to its caller's slot."""

    def __init__(
        self,
        scope: dict[str, Any],
        methods: tuple[str, ...] = ("POST",),
        *,
        body_optional: bool = False,
    ) -> None:
        """Prepare to check the request of `scope`, made with one of `methods`.

        `body_optional`: a request without a body passes (a JSON resource's GET, DELETE or
        empty POST); by default a POST must declare a JSON body.
        """
        self.scope = scope
        self.methods = methods
        self.body_optional = body_optional
        self.caller: Caller | None = None
        self.chunks: list[bytes] = []
        self.size = 0
        self.slot: StreamSlot | None = None

    async def receive(self, message: dict[str, Any]) -> bytes | RequestRejected | None:
        """Take one `http.request` message: the whole body, a rejection, or None for more."""
        try:
            if self.caller is None:
                self.caller = await self.admit()
            chunk = message.get("body", b"")
            self.size += len(chunk)
            if self.size > settings.MAX_BODY_BYTES:
                raise too_large()
            self.chunks.append(chunk)
        except RequestRejected as rejected:
            return rejected
        except Exception as exc:
            logger.exception("the stream request failed its checks unexpectedly")
            return failure_of(exc)
        return None if message.get("more_body") else b"".join(self.chunks)

    async def admit(self) -> Caller:
        """Check everything the scope says, in order; return the caller.

        A body must be JSON (and a POST must have one, unless `body_optional`).
        """
        caller = await admit_caller(self.scope, *self.methods)
        headers = decoded_headers(self.scope)
        if has_body(headers) or not self.body_optional:
            check_body_headers(headers)
        return caller

    def as_seen_by_caller(self, rejected: RequestRejected, session_id: str) -> RequestRejected:
        """Turn "another user's session" (403) into 404 for a user key: it sees no such thing."""
        if rejected.status == 403 and self.caller is not None and not self.caller.is_service:
            return RequestRejected(404, f"Session {session_id!r} not found")
        return rejected

    async def take_stream_slot(self) -> None:
        """Take one of the user's concurrent streams (429 when all are in use); once per request."""
        assert self.caller is not None
        if self.slot is not None:
            return
        self.slot = StreamSlot(self.caller)
        try:
            await self.slot.take()
        except RateLimited as limited:
            raise rate_limited(limited) from None

    async def release(self) -> None:
        """Give back the stream slot, if one was taken."""
        if self.slot is not None:
            await self.slot.release()
