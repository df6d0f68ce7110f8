"""Bearer-token authentication shared by the JSON API and the SSE consumer."""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer


def token_from_headers(headers: Mapping[str, str]) -> str | None:
    """Return the token of `Authorization: Bearer <t>` or the original's `token: <t>` header.

    `headers` maps lower-case header names to values.
    """
    authorization = headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    token = headers.get("token", "").strip()
    return token or None


def is_valid_token(token: str | None) -> bool:
    """Compare a presented token with DEV_AUTH_TOKEN in constant time."""
    if not token:
        return False
    return hmac.compare_digest(token.encode(), settings.DEV_AUTH_TOKEN.encode())


class DevTokenAuth(HttpBearer):
    """Django Ninja auth: `Authorization: Bearer <token>`, or the original's `token: <token>`."""

    def __call__(self, request: HttpRequest) -> str | None:
        """Return the token when it is valid; None makes Ninja answer 401."""
        headers = {name.lower(): value for name, value in request.headers.items()}
        token = token_from_headers(headers)
        return token if is_valid_token(token) else None

    def authenticate(self, request: HttpRequest, token: str) -> str | None:
        """Validate a bearer token (kept for Ninja's interface; `__call__` does the work)."""
        return token if is_valid_token(token) else None
