"""Who is calling: resolved once from the request headers, before the body is read."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings

from accounts.keys import looks_like_user_key, lookup_active_key


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: a user key (acts as its user) or the service key (any user)."""

    kind: Literal["user", "service"]
    user_id: str | None = None
    key_id: str | None = None
    name: str = ""
    prefix: str = ""

    @property
    def is_service(self) -> bool:
        """Whether this is the trusted service key."""
        return self.kind == "service"

    def can_see(self, user_id: str) -> bool:
        """Whether the caller may read or act on data owned by `user_id`."""
        return self.is_service or user_id == self.user_id

    def owner_filter(self, field: str = "user_id") -> dict[str, Any]:
        """ORM filter keyword arguments that keep a query to the caller's own rows."""
        return {} if self.is_service else {field: self.user_id}

    @property
    def rate_key(self) -> str:
        """The identity rate limits count against."""
        return "service" if self.is_service else f"user:{self.user_id}"


SERVICE = Caller(kind="service")


def service_user(named: str | None) -> str | None:
    """Whom a service-key request acts for: the user it names, else SERVICE_KEY_USER, else None.

    None means the request must name its user (the protocol says how, with its own error).
    """
    if named is not None and named.strip():
        return named.strip()
    return settings.SERVICE_KEY_USER or None


def token_from_headers(headers: Mapping[str, str]) -> str | None:
    """Return the token of `Authorization: Bearer`, `x-api-key` or the original's `token`.

    `x-api-key` is what LangGraph's SDKs send. `headers` maps lower-case header names to values.
    """
    authorization = headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    token = headers.get("x-api-key", "").strip() or headers.get("token", "").strip()
    return token or None


def is_service_token(token: str) -> bool:
    """Compare a presented token with DEV_AUTH_TOKEN in constant time (empty disables it)."""
    service = settings.DEV_AUTH_TOKEN
    return bool(service) and hmac.compare_digest(token.encode(), service.encode())


async def resolve_caller(headers: Mapping[str, str]) -> Caller | None:
    """Return the caller the headers authenticate, or None when they authenticate nobody."""
    token = token_from_headers(headers)
    if not token:
        return None
    if is_service_token(token):
        return SERVICE
    if not looks_like_user_key(token):
        return None
    key = await lookup_active_key(token)
    if key is None:
        return None
    return Caller(kind="user", user_id=key.user_id, key_id=key.pk, name=key.name, prefix=key.prefix)
