"""Which webhook URLs may be called: the form, and every address the host resolves to."""

from __future__ import annotations

import ipaddress

import pytest

from webhooks.policy import WebhookRefused, check_url, refused, resolve_allowed


@pytest.mark.parametrize(
    "url",
    ["", "/hook", "hook.example.com/x", "ftp://example.com/x", "http://", "http://h:99999/x", 7],
)
def test_only_absolute_http_urls_with_a_host_pass(url):
    with pytest.raises(WebhookRefused):
        check_url(url)


def test_a_long_url_is_refused():
    with pytest.raises(WebhookRefused, match="2048"):
        check_url("https://example.com/" + "a" * 2048)


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata endpoint
        ("fe80::1", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),  # an IPv4-mapped loopback
        ("100.64.0.1", "not a public"),  # carrier-grade NAT
        ("0.0.0.0", "private"),  # (Linux connects it to this host)
        ("224.0.0.1", "not a public"),
    ],
)
def test_non_public_addresses_are_refused_with_the_reason(address, why):
    assert why in (refused(ipaddress.ip_address(address)) or "")


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::6810:84e5"])
def test_public_addresses_pass(address):
    assert refused(ipaddress.ip_address(address)) is None


async def test_a_host_resolving_to_loopback_is_refused_unless_allowed(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    with pytest.raises(WebhookRefused, match="localhost.*loopback"):
        await resolve_allowed("http://localhost:9/hook")
    settings.WEBHOOK_ALLOWED_HOSTS = ["localhost"]
    assert (await resolve_allowed("http://localhost:9/hook")).is_loopback


async def test_a_host_that_does_not_resolve_is_refused():
    with pytest.raises(WebhookRefused, match="does not resolve"):
        await resolve_allowed("https://no-such-host.invalid/hook")
