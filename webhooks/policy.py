"""Which webhook URLs may be called: absolute http(s), to public addresses only.

A webhook is a request our server makes for a user, so it must not reach what only the
server can: loopback, private networks, link-local addresses (cloud metadata endpoints sit
at 169.254.169.254), or any other non-global address. The name is resolved and every
address it resolves to is checked, at the request (a clear 422) and again at each delivery,
which then connects to the very address it checked (a name that resolves differently the
second time cannot point the request elsewhere). `WEBHOOK_ALLOWED_HOSTS` lets named hosts
through (a receiver on the operator's own network, the tests' loopback one).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

MAX_URL_CHARS = 2048
RESOLVE_SECONDS = 2.0
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class WebhookRefused(ValueError):
    """The URL may not be called; the message says why."""


def check_url(url: object) -> str:
    """Return `url` if it is an absolute http(s) URL with a host; raise WebhookRefused if not."""
    if not isinstance(url, str) or not url.strip():
        raise WebhookRefused("must be an absolute http or https URL")
    if len(url) > MAX_URL_CHARS:
        raise WebhookRefused(f"must be at most {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise WebhookRefused(f"is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookRefused("must be an absolute http or https URL")
    return url


async def resolve_allowed(url: str) -> Address:
    """The address to deliver `url` to: its host's first, when every one is allowed.

    Raises:
        WebhookRefused: the host does not resolve, or resolves to an address not allowed.
    """
    parts = urlsplit(check_url(url))
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = await asyncio.wait_for(
            asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM),
            RESOLVE_SECONDS,
        )
    except (OSError, TimeoutError):
        raise WebhookRefused(f"host {host!r} does not resolve") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    if host.lower() not in settings.WEBHOOK_ALLOWED_HOSTS:
        for address in addresses:
            if why := refused(address):
                raise WebhookRefused(
                    f"host {host!r} resolves to {address}, {why} (WEBHOOK_ALLOWED_HOSTS "
                    "may allow it)"
                )
    return addresses[0]


def refused(address: Address) -> str | None:
    """Why a webhook may not reach `address`, or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (where cloud metadata endpoints are)"
    if address.is_private:
        return "a private address"
    if not address.is_global or address.is_multicast:
        return "not a public address"
    return None
