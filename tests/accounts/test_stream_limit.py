"""Concurrent streams per user: the slot is taken before the run and given back after it."""

from __future__ import annotations

import pytest

from accounts.callers import Caller
from accounts.limits import StreamSlot
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
