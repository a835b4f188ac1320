"""Who is asking: the client's address as seen through the proxies this deployment trusts.

Throttling, lockout and the access log all key on the client's address, so it must not be
something a client can choose: `X-Forwarded-For` is only read from a proxy listed in
VERKA_TRUSTED_PROXIES, and then from the right, skipping trusted hops, because each proxy
appends the address it saw and only the hops we trust can vouch for the one before them.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _clean(address: str) -> str | None:
    """The address part of a forwarded entry, or None if it is not an IP address."""
    address = address.strip()
    if address.startswith("[") and "]" in address:  # [v6]:port
        address = address[1 : address.index("]")]
    elif address.count(":") == 1:  # v4:port
        address = address.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The address of the client: REMOTE_ADDR, or the first untrusted hop behind trusted proxies."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _trusted(tuple(getattr(settings, "VERKA_TRUSTED_PROXIES", ())))
    if not networks or not _is_trusted(remote, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _clean(hop)
        if address is None:
            return remote  # a garbled header: trust nothing in it
        if not _is_trusted(address, networks):
            return address
    return remote
