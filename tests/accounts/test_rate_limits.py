"""Rate limits in one process (the local-memory cache): 429 with Retry-After past each."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("fresh_rate_window")


def me(client, headers):
    """GET /v1/me."""
    return client.get("/v1/me", headers=headers)


def test_a_user_key_over_its_requests_per_minute_gets_a_429(client, settings, alice_key):
    settings.RATE_LIMIT_PER_MINUTE = 2
    headers = {"token": alice_key}
    assert [me(client, headers).status_code for _ in range(2)] == [200, 200]
    refused = me(client, headers)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json() == {"detail": "Rate limit of 2 requests per minute exceeded"}


def test_users_are_counted_apart(client, settings, alice_key, bob_key):
    settings.RATE_LIMIT_PER_MINUTE = 1
    assert me(client, {"token": alice_key}).status_code == 200
    assert me(client, {"token": bob_key}).status_code == 200
    assert me(client, {"token": alice_key}).status_code == 429


def test_the_service_key_is_unlimited_unless_configured(client, settings, db):
    settings.RATE_LIMIT_PER_MINUTE = 1
    headers = {"token": settings.DEV_AUTH_TOKEN}
    assert {me(client, headers).status_code for _ in range(5)} == {200}
    settings.SERVICE_RATE_LIMIT_PER_MINUTE = 2
    assert [me(client, headers).status_code for _ in range(3)] == [200, 200, 429]


def test_a_zero_limit_is_off(client, settings, alice_key):
    settings.RATE_LIMIT_PER_MINUTE = 0
    assert {me(client, {"token": alice_key}).status_code for _ in range(5)} == {200}


def test_wrong_keys_from_one_address_are_limited_but_a_missing_key_is_not(client, settings, db):
    settings.AUTH_FAILURES_PER_MINUTE = 2
    assert {me(client, {}).status_code for _ in range(5)} == {401}
    wrong = {"token": "not-a-key"}
    assert [me(client, wrong).status_code for _ in range(3)] == [401, 401, 429]
    assert me(client, {"token": settings.DEV_AUTH_TOKEN}).status_code == 429
