"""Rate limits over Django's cache: shared by every process when the cache is Redis.

Three limits, each off when its setting is 0:
- requests per minute per user key (`RATE_LIMIT_PER_MINUTE`; the service key has its own,
  `SERVICE_RATE_LIMIT_PER_MINUTE`, unlimited by default);
- concurrent streams per user (`RATE_LIMIT_STREAMS`);
- failed authentications per client address per minute (`AUTH_FAILURES_PER_MINUTE`).

Counters are fixed one-minute windows (`cache.add` then `cache.incr`, both atomic in Redis
and in the local-memory cache).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from accounts.callers import Caller

WINDOW_SECONDS = 60
# A stream slot whose process died is given back after this long.
STREAM_SLOT_TTL_SECONDS = 3600
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


async def count(key: str, window: Window) -> int:
    """Add one to a window's counter and return the new value."""
    await cache.aadd(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        return await cache.aincr(key)
    except ValueError:  # expired between add and incr
        await cache.aset(key, 1, timeout=WINDOW_SECONDS + 5)
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
    failures = await cache.aget(f"rl:authfail:{client_address}:{window.suffix}", 0)
    if failures >= limit:
        raise RateLimited("Too many failed authentications", window.seconds_left)


async def note_auth_failure(client_address: str) -> None:
    """Count one failed authentication from this address."""
    if settings.AUTH_FAILURES_PER_MINUTE:
        window = Window.now()
        await count(f"rl:authfail:{client_address}:{window.suffix}", window)


class StreamSlot:
    """One of a user's concurrent streams, taken before the run and given back after it."""

    def __init__(self, caller: Caller) -> None:
        """Prepare a slot for `caller` (not taken yet)."""
        self.key = f"rl:streams:{caller.rate_key}"
        self.limit = 0 if caller.is_service else settings.RATE_LIMIT_STREAMS
        self.taken = False

    async def take(self) -> None:
        """Take a slot; raise RateLimited when the user already has `limit` streams open."""
        if not self.limit:
            return
        await cache.aadd(self.key, 0, timeout=STREAM_SLOT_TTL_SECONDS)
        current = await cache.aincr(self.key)
        self.taken = True
        if current > self.limit:
            await self.release()
            raise RateLimited(
                f"At most {self.limit} concurrent streams per user",
                STREAM_RETRY_AFTER_SECONDS,
            )
        await cache.atouch(self.key, STREAM_SLOT_TTL_SECONDS)

    async def release(self) -> None:
        """Give the slot back (idempotent)."""
        if self.taken:
            self.taken = False
            try:
                await cache.adecr(self.key)
            except ValueError:  # the counter expired meanwhile
                pass
