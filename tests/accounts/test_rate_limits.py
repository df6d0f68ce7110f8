"""Rate limits in one process (in-memory moving windows): 429 with Retry-After past each."""

from __future__ import annotations

import math
import time

import pytest

from accounts.addresses import client_address
from tests.support.waiting import until


def me(client, headers, **extra):
    """GET /v1/me."""
    return client.get("/v1/me", headers=headers, **extra)


def test_a_user_key_over_its_requests_per_minute_gets_a_429(client, settings, alice_key):
    settings.RATE_LIMIT_PER_MINUTE = 2
    headers = {"token": alice_key}
    assert [me(client, headers).status_code for _ in range(2)] == [200, 200]
    refused = me(client, headers)
    assert refused.status_code == 429
    assert 59 <= int(refused["Retry-After"]) <= 60, "the oldest request leaves in a minute"
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


def test_the_limit_holds_over_any_span_of_the_window_not_per_clock_window(
    client, settings, alice_key
):
    # alice's burst straddles a turn of the clock's 4 s windows: a fixed window would let the
    # third request through right after the turn; the moving window refuses it until the
    # first request is 4 s old.
    settings.RATE_LIMIT_WINDOW_SECONDS, settings.RATE_LIMIT_PER_MINUTE = 4, 2
    headers = {"token": alice_key}
    until(lambda: 2.0 <= time.time() % 4 < 3.0)
    first = time.time()
    assert me(client, headers).status_code == 200
    first_counted = time.time()
    assert me(client, headers).status_code == 200
    until(lambda: time.time() % 4 < 2.0)  # the clock's window has turned
    before = time.time()
    refused = me(client, headers)
    after = time.time()
    assert refused.status_code == 429, "a burst across a window's turn gets no more than the limit"
    assert refused.json()["detail"] == "Rate limit of 2 requests per 4 s exceeded"
    # Exact to the second: when the first request leaves the window, rounded up.
    retry_after = int(refused["Retry-After"])
    assert math.ceil(first + 4 - after) <= retry_after <= math.ceil(first_counted + 4 - before)
    until(lambda: time.time() > first_counted + 4.05)
    assert me(client, headers).status_code == 200


def test_wrong_keys_from_one_address_are_limited_but_never_a_valid_key(client, settings, db):
    settings.AUTH_FAILURES_PER_MINUTE = 2
    assert {me(client, {}).status_code for _ in range(5)} == {401}, "no key is no failure"
    wrong = {"token": "not-a-key"}
    assert [me(client, wrong).status_code for _ in range(3)] == [401, 401, 429]
    refused = me(client, wrong)
    assert refused.json() == {"detail": "Too many failed authentications"}
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert me(client, {"token": settings.DEV_AUTH_TOKEN}).status_code == 200


def test_25_wrong_keys_then_the_right_one_from_the_same_address_gets_200(
    client, settings, alice_key
):
    wrong = [me(client, {"Authorization": "Bearer oak_guess"}).status_code for _ in range(25)]
    assert wrong == [401] * 20 + [429] * 5
    assert me(client, {"Authorization": f"Bearer {alice_key}"}).status_code == 200
    assert me(client, {"token": settings.DEV_AUTH_TOKEN}).status_code == 200


def test_failures_behind_a_trusted_proxy_count_per_forwarded_client(client, settings, db):
    settings.AUTH_FAILURES_PER_MINUTE, settings.TRUSTED_PROXIES = 2, ["127.0.0.0/8"]
    wrong = {"token": "not-a-key"}
    mallory = {"HTTP_X_FORWARDED_FOR": "203.0.113.5", "REMOTE_ADDR": "127.0.0.1"}
    carol = {"HTTP_X_FORWARDED_FOR": "198.51.100.7", "REMOTE_ADDR": "127.0.0.1"}
    assert [me(client, wrong, **mallory).status_code for _ in range(3)] == [401, 401, 429]
    assert me(client, wrong, **carol).status_code == 401, "another client behind the proxy"


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(client, settings, db):
    settings.AUTH_FAILURES_PER_MINUTE = 2
    wrong = {"token": "not-a-key"}
    statuses = [
        me(client, wrong, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(3)
    ]
    assert statuses == [401, 401, 429], "failures count against the socket peer"


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "address"),
    [
        ("10.0.0.2", "203.0.113.5", [], "10.0.0.2"),
        ("10.0.0.2", "203.0.113.5", ["10.0.0.0/8"], "203.0.113.5"),
        ("10.0.0.2", "1.2.3.4, 203.0.113.5, 10.0.0.9", ["10.0.0.0/8"], "203.0.113.5"),
        ("10.0.0.2", "10.0.0.8, 10.0.0.9", ["10.0.0.0/8"], "10.0.0.8"),
        ("192.0.2.1", "203.0.113.5", ["10.0.0.0/8"], "192.0.2.1"),
        ("10.0.0.2", "", ["10.0.0.0/8"], "10.0.0.2"),
        ("::1", "2001:db8::7", ["::1/128"], "2001:db8::7"),
    ],
    ids=[
        "none-trusted",
        "one-proxy",
        "forged-left",
        "all-trusted",
        "peer-untrusted",
        "no-xff",
        "v6",
    ],
)
def test_the_client_address_is_the_right_most_untrusted_hop(
    settings, peer, forwarded, trusted, address
):
    settings.TRUSTED_PROXIES = trusted
    assert client_address(peer, forwarded) == address
