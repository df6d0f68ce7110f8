"""Who is on the other end: the client's address, through the proxies we trust.

The address is the socket peer, unless the peer is one of `TRUSTED_PROXIES` (CIDRs, empty by
default): then it is the right-most address of `X-Forwarded-For` that is not a trusted proxy
(each proxy appends the address it received the request from, so entries to the left of the
last untrusted one may be forged by the client). Every surface asks here: the streams, the
JSON API, the failed-authentication limit and `/metrics`.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

MAX_ADDRESS_CHARS = 64


@lru_cache(maxsize=8)
def trusted_networks(
    cidrs: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Parse the trusted proxies' CIDRs (checked at start-up by settings)."""
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def is_trusted(address: str) -> bool:
    """Whether `address` is one of TRUSTED_PROXIES (never, for what is not an IP address)."""
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: str | None) -> str:
    """Return the client's address, given the socket peer and the X-Forwarded-For header."""
    if not forwarded_for or not settings.TRUSTED_PROXIES or not is_trusted(peer):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            return hop[:MAX_ADDRESS_CHARS]
    return hops[0][:MAX_ADDRESS_CHARS] if hops else peer
