"""Rate limits: moving windows from `limits`, in memory or in Redis shared by every process.

Three limits, each off when its setting is 0:
- requests per window per user key (`RATE_LIMIT_PER_MINUTE`; the service key has its own,
  `SERVICE_RATE_LIMIT_PER_MINUTE`, unlimited by default);
- concurrent streams per user (`RATE_LIMIT_STREAMS`: slots in Django's cache, below);
- failed authentications per client address per window (`AUTH_FAILURES_PER_MINUTE`): only
  further failed attempts are refused, never a request with a valid key.

A window is `RATE_LIMIT_WINDOW_SECONDS` (60 by default) and **moves**: a limit holds over any
span of that length, so no burst across a window's turn gets twice the limit. The limiter is
`limits`' moving window: its memory storage (one process) is called directly on the event
loop (a dict under a lock); its Redis storage (with REDIS_URL) runs an atomic script per hit.
`Retry-After` is when the oldest request of the window leaves it, rounded up to the second.
"""

from __future__ import annotations

import asyncio
import math
import secrets
import time
import weakref
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from limits import RateLimitItem, RateLimitItemPerSecond

from accounts.callers import Caller, resolve_caller, token_from_headers

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


class Limiter(Protocol):
    """A moving-window limiter: count a hit, or say how long until the next is allowed."""

    async def hit(self, item: RateLimitItem, *keys: str) -> bool:
        """Count one hit; False (and nothing counted) when the window is full."""

    async def reset_at(self, item: RateLimitItem, *keys: str) -> float:
        """Return when (epoch seconds) the window next has room."""


class MemoryLimiter:
    """`limits`' moving window over its in-process memory storage (no thread hop)."""

    def __init__(self) -> None:
        """Start with empty windows."""
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        self.storage = MemoryStorage()
        self.strategy = MovingWindowRateLimiter(self.storage)

    async def hit(self, item: RateLimitItem, *keys: str) -> bool:
        """Count one hit in this process."""
        return self.strategy.hit(item, *keys)

    async def reset_at(self, item: RateLimitItem, *keys: str) -> float:
        """When the window next has room, in this process."""
        return self.strategy.get_window_stats(item, *keys).reset_time


class RedisLimiter:
    """`limits`' moving window in Redis: every process counts in the same windows."""

    def __init__(self, url: str, prefix: str) -> None:
        """Use the Redis at `url`, keys under `prefix` (one client per event loop)."""
        from limits.aio.storage import RedisStorage
        from limits.aio.strategies import MovingWindowRateLimiter

        uri = "async+" + url if url.startswith("redis") else url
        self.storage = RedisStorage(uri, implementation="redispy", key_prefix=prefix)
        self.strategy = MovingWindowRateLimiter(self.storage)

    async def hit(self, item: RateLimitItem, *keys: str) -> bool:
        """Count one hit in the shared window (one atomic script)."""
        return await self.strategy.hit(item, *keys)

    async def reset_at(self, item: RateLimitItem, *keys: str) -> float:
        """When the shared window next has room."""
        return (await self.strategy.get_window_stats(item, *keys)).reset_time


_redis: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RedisLimiter] = (
    weakref.WeakKeyDictionary()
)


def limiter() -> Limiter:
    """Return the limiter the settings ask for (a Redis one per event loop: its client is)."""
    if not settings.REDIS_URL:
        return memory_limiter()
    loop = asyncio.get_running_loop()
    found = _redis.get(loop)
    if found is None:
        prefix = f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:limits"
        found = _redis[loop] = RedisLimiter(settings.REDIS_URL, prefix)
    return found


@cache
def memory_limiter() -> MemoryLimiter:
    """This process's one in-memory limiter."""
    return MemoryLimiter()


def reset_limits() -> None:
    """Forget every in-process window (tests; Redis windows live in Redis)."""
    memory_limiter.cache_clear()
    _redis.clear()


def per_window(limit: int) -> RateLimitItem:
    """`limit` hits per RATE_LIMIT_WINDOW_SECONDS."""
    return RateLimitItemPerSecond(limit, settings.RATE_LIMIT_WINDOW_SECONDS)


def window_words() -> str:
    """Say the window's length: "minute", or "60 s" style for another length."""
    seconds = settings.RATE_LIMIT_WINDOW_SECONDS
    return "minute" if seconds == 60 else f"{seconds} s"


async def take(detail: str, limit: int, *keys: str) -> None:
    """Count one hit against `limit` per window; raise RateLimited when the window is full."""
    item = per_window(limit)
    chosen = limiter()
    if await chosen.hit(item, *keys):
        return
    retry_after = max(1, math.ceil(await chosen.reset_at(item, *keys) - time.time()))
    raise RateLimited(detail, retry_after)


async def cache_call(operation: str, *args: Any, **kwargs: Any) -> Any:
    """Run a cache operation: in-process caches directly, others through the async API."""
    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        return getattr(backend, operation)(*args, **kwargs)
    return await getattr(backend, f"a{operation}")(*args, **kwargs)


def requests_limit(caller: Caller) -> int:
    """The requests per window allowed to this caller (0 = unlimited)."""
    if caller.is_service:
        return settings.SERVICE_RATE_LIMIT_PER_MINUTE
    return settings.RATE_LIMIT_PER_MINUTE


async def check_request_rate(caller: Caller) -> None:
    """Count one request of `caller`; raise RateLimited when over its limit."""
    limit = requests_limit(caller)
    if limit:
        detail = f"Rate limit of {limit} requests per {window_words()} exceeded"
        await take(detail, limit, "req", caller.rate_key)


async def note_auth_failure(client_address: str) -> None:
    """Count one failed authentication from this address; RateLimited past the limit."""
    limit = settings.AUTH_FAILURES_PER_MINUTE
    if limit:
        await take("Too many failed authentications", limit, "authfail", client_address)


async def identify(client_address: str, headers: dict[str, str]) -> Caller | None:
    """Resolve the caller of `headers`, counting its requests and the address's failures.

    The one sequence every surface authenticates with (JSON API and the streams): None when
    no valid key was presented (a 401); RateLimited past a limit (a 429). A valid key is
    never refused for its address's failures: only further failed attempts are.
    """
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
