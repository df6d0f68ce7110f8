"""Concurrent streams per user: the slot is taken before the run and given back after it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.callers import SERVICE, Caller
from accounts.limits import RateLimited, StreamSlot
from tests.accounts.test_ownership import raw_headers, stream
from tests.conftest import ALICE

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_user_over_the_stream_limit_gets_a_429_until_a_stream_ends(settings, alice_key):
    settings.RATE_LIMIT_STREAMS = 1
    busy = StreamSlot(Caller(kind="user", user_id=ALICE))
    await busy.take()
    status, body = await stream(
        {"sessionId": "lim-1", "prompt": "hi"}, raw_headers(alice_key, "bearer")
    )
    assert status == 429
    assert b"concurrent streams" in body
    await busy.release()
    status, _ = await stream(
        {"sessionId": "lim-1", "prompt": "hi"}, raw_headers(alice_key, "bearer")
    )
    assert status == 200
    status, _ = await stream(
        {"sessionId": "lim-1", "prompt": "hi"}, raw_headers(alice_key, "bearer")
    )
    assert status == 200, "the finished stream gave its slot back"


async def test_each_user_has_their_own_slots_and_the_service_key_none(settings):
    settings.RATE_LIMIT_STREAMS = 1
    alice, bob = StreamSlot(Caller("user", ALICE)), StreamSlot(Caller("user", "bob"))
    await alice.take()
    await bob.take()
    with pytest.raises(RateLimited):
        await StreamSlot(Caller("user", ALICE)).take()
    for _ in range(3):
        await StreamSlot(SERVICE).take()
    await alice.release()
    await alice.release()
    await StreamSlot(Caller("user", ALICE)).take()


async def test_a_late_release_never_frees_a_slot_another_stream_took(settings):
    settings.RATE_LIMIT_STREAMS = 1
    first = StreamSlot(Caller("user", ALICE))
    await first.take()
    await cache.adelete(first.key)  # as if it had expired
    second = StreamSlot(Caller("user", ALICE))
    await second.take()
    await first.release()
    with pytest.raises(RateLimited):
        await StreamSlot(Caller("user", ALICE)).take()
