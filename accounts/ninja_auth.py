"""The JSON API's side of identity: the caller as Ninja auth, 401/403/429 answered as JSON."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer

from accounts.addresses import client_address
from accounts.callers import Caller
from accounts.limits import RateLimited, identify
from accounts.lookups import SessionNotFound

AUTHENTICATE = 'Bearer realm="api"'


class CallerAuth(HttpBearer):
    """`Authorization: Bearer <key>` or the original's `token: <key>`; `request.auth` is the Caller.

    Counts the caller's requests and the address's failed authentications (429 past a limit).
    """

    is_async = True

    async def __call__(self, request: HttpRequest) -> Caller | None:  # type: ignore[override]
        """Return the caller, None for 401, or raise RateLimited."""
        headers = {name.lower(): value for name, value in request.headers.items()}
        peer = request.META.get("REMOTE_ADDR", "")
        return await identify(client_address(peer, headers.get("x-forwarded-for")), headers)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        """Unused: `__call__` does the work (kept for Ninja's interface)."""
        return None


def caller_of(request: HttpRequest) -> Caller:
    """Return the authenticated caller of a Ninja request."""
    return request.auth  # type: ignore[attr-defined,return-value]


def require_service(request: HttpRequest) -> Caller:
    """Return the caller if it is the service key; else raise a 403."""
    caller = caller_of(request)
    if not caller.is_service:
        raise HttpError(403, "This endpoint needs the service key")
    return caller


def install_error_handlers(api: NinjaAPI) -> None:
    """Answer 401 with WWW-Authenticate, 429 with Retry-After and data errors, all as JSON."""

    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(request, {"detail": "Unauthorized"}, status=401)
        response["WWW-Authenticate"] = AUTHENTICATE
        return response

    def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = api.create_response(request, {"detail": exc.detail}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    def not_found(request: HttpRequest, exc: SessionNotFound) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=404)

    api.add_exception_handler(AuthenticationError, unauthorized)
    api.add_exception_handler(RateLimited, rate_limited)
    api.add_exception_handler(SessionNotFound, not_found)
