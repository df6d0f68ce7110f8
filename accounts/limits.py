"""Rate limits over Django's cache: shared by every process when the cache is Redis.

Three limits, each off when its setting is 0:
- requests per minute per user key (`RATE_LIMIT_PER_MINUTE`; the service key has its own,
  `SERVICE_RATE_LIMIT_PER_MINUTE`, unlimited by default);
- concurrent streams per user (`RATE_LIMIT_STREAMS`);
- failed authentications per client address per minute (`AUTH_FAILURES_PER_MINUTE`).

Counters are fixed one-minute windows (`cache.add` then `cache.incr`, both atomic in Redis
and in the local-memory cache).

The local-memory cache (no REDIS_URL) is a dict under a lock: its operations are called
directly on the event loop, as Django's async cache API would only hand each to a thread
(`sync_to_async`) and back. Other caches go through the async API.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from accounts.callers import Caller, resolve_caller, token_from_headers

WINDOW_SECONDS = 60
# A stream slot whose process died is given back after this long (a longer run keeps
# streaming; its slot is merely free for another stream from then on).
STREAM_SLOT_TTL_SECONDS = 900
STREAM_RETRY_AFTER_SECONDS = 1


class RateLimited(Exception):
    """The caller has used up a limit; carries the seconds to wait."""

    def __init__(self, detail: str, retry_after: int) -> None:
        """Remember the message and the Retry-After seconds."""
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


@dataclass(frozen=True)
class Window:
    """The current fixed window: its cache-key suffix and the seconds left in it."""

    suffix: str
    seconds_left: int

    @classmethod
    def now(cls) -> Window:
        """Return the window the present moment falls in."""
        now = time.time()
        start = math.floor(now / WINDOW_SECONDS) * WINDOW_SECONDS
        return cls(str(int(start)), max(1, math.ceil(start + WINDOW_SECONDS - now)))


async def cache_call(operation: str, *args: Any, **kwargs: Any) -> Any:
    """Run a cache operation: in-process caches directly, others through the async API."""
    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        return getattr(backend, operation)(*args, **kwargs)
    return await getattr(backend, f"a{operation}")(*args, **kwargs)


async def count(key: str, window: Window) -> int:
    """Add one to a window's counter and return the new value."""
    await cache_call("add", key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        return await cache_call("incr", key)
    except ValueError:  # expired between add and incr
        await cache_call("set", key, 1, timeout=WINDOW_SECONDS + 5)
        return 1


def requests_limit(caller: Caller) -> int:
    """The requests per minute allowed to this caller (0 = unlimited)."""
    if caller.is_service:
        return settings.SERVICE_RATE_LIMIT_PER_MINUTE
    return settings.RATE_LIMIT_PER_MINUTE


async def check_request_rate(caller: Caller) -> None:
    """Count one request of `caller`; raise RateLimited when over its limit."""
    limit = requests_limit(caller)
    if not limit:
        return
    window = Window.now()
    if await count(f"rl:req:{caller.rate_key}:{window.suffix}", window) > limit:
        raise RateLimited(
            f"Rate limit of {limit} requests per minute exceeded", window.seconds_left
        )


async def check_auth_failures(client_address: str) -> None:
    """Raise RateLimited when this address has failed to authenticate too often this minute."""
    limit = settings.AUTH_FAILURES_PER_MINUTE
    if not limit:
        return
    window = Window.now()
    failures = await cache_call("get", f"rl:authfail:{client_address}:{window.suffix}", 0)
    if failures >= limit:
        raise RateLimited("Too many failed authentications", window.seconds_left)


async def note_auth_failure(client_address: str) -> None:
    """Count one failed authentication from this address."""
    if settings.AUTH_FAILURES_PER_MINUTE:
        window = Window.now()
        await count(f"rl:authfail:{client_address}:{window.suffix}", window)


async def identify(client_address: str, headers: dict[str, str]) -> Caller | None:
    """Resolve the caller of `headers`, counting its requests and the address's failures.

    The one sequence every surface authenticates with (JSON API and both SSE endpoints):
    None when no valid key was presented (a 401); RateLimited past a limit (a 429).
    """
    await check_auth_failures(client_address)
    caller = await resolve_caller(headers)
    if caller is None:
        if token_from_headers(headers):
            await note_auth_failure(client_address)
        return None
    await check_request_rate(caller)
    return caller


class StreamSlot:
    """One of a user's concurrent streams, taken before the run and given back after it.

    A user has `RATE_LIMIT_STREAMS` slot keys; taking one is an atomic `cache.add` (SET NX in
    Redis) on the first free key. Each slot expires on its own after STREAM_SLOT_TTL_SECONDS,
    so the slots of a process that died come back without anyone counting down.
    """

    def __init__(self, caller: Caller) -> None:
        """Prepare a slot for `caller` (not taken yet)."""
        self.prefix = f"rl:streams:{caller.rate_key}"
        self.limit = 0 if caller.is_service else settings.RATE_LIMIT_STREAMS
        self.token = secrets.token_hex(8)
        self.key: str | None = None

    async def take(self) -> None:
        """Take a free slot; raise RateLimited when the user has `limit` streams open."""
        for number in range(self.limit):
            key = f"{self.prefix}:{number}"
            if await cache_call("add", key, self.token, timeout=STREAM_SLOT_TTL_SECONDS):
                self.key = key
                return
        if self.limit:
            raise RateLimited(
                f"At most {self.limit} concurrent streams per user", STREAM_RETRY_AFTER_SECONDS
            )

    async def release(self) -> None:
        """Give the slot back (idempotent; never frees a slot another stream took since)."""
        key, self.key = self.key, None
        if key is not None and await cache_call("get", key) == self.token:
            await cache_call("delete", key)
