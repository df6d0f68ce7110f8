"""Readiness: can this process reach what it needs (the database, Redis when configured)?"""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)
PROBE_TIMEOUT_SECONDS = 3.0


def ping_database() -> None:
    """Run the cheapest real query the backend offers; raise when the database is unreachable."""
    if settings.USE_MONGODB:
        connection.ensure_connection()
        connection.connection.admin.command("ping")
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")


async def ping_redis(url: str) -> None:
    """PING Redis at `url`; raise when it does not answer."""
    import redis.asyncio as redis

    client = redis.from_url(url, socket_connect_timeout=PROBE_TIMEOUT_SECONDS)
    try:
        await client.ping()
    finally:
        await client.aclose()


async def check(name: str, probe: object) -> str:
    """Await one probe: `ok`, or `unreachable` (logged once with its reason)."""
    try:
        await asyncio.wait_for(probe, PROBE_TIMEOUT_SECONDS)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - any failure to answer means "unreachable"
        logger.warning("readiness: %s unreachable", name, extra={"reason": type(exc).__name__})
        return "unreachable"
    return "ok"


async def readiness() -> dict[str, str]:
    """Return the state of each dependency: `{"database": "ok", "redis": "unreachable"}`."""
    checks = {"database": await check("database", sync_to_async(ping_database)())}
    redis_url = getattr(settings, "REDIS_URL", "")
    if redis_url:
        checks["redis"] = await check("redis", ping_redis(redis_url))
    return checks
