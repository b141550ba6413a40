"""The client's address, believing proxy headers only from configured proxies."""

from __future__ import annotations

import ipaddress
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

FORWARDED_FOR = b"x-forwarded-for"


@cache
def parse_trusted_proxies(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """CIDRs or single addresses; a bad entry raises ValueError naming it."""
    networks: list[Network] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            msg = f"TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR"
            raise ValueError(msg) from None
    return tuple(networks)


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def _normalise(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address


def client_address(scope: Scope, trusted_proxies: tuple[str, ...]) -> str:
    """The peer address, or the right-most untrusted X-Forwarded-For hop behind our proxies.

    Each proxy appends the address it saw, so hops left of the last untrusted one
    were written by the client and may be forged.
    """
    client = scope.get("client")
    peer = client[0] if client else "unknown"
    trusted = parse_trusted_proxies(trusted_proxies)
    if not trusted or not _is_trusted(peer, trusted):
        return _normalise(peer)

    hops: list[str] = []
    for name, value in scope.get("headers", []):
        if name == FORWARDED_FOR:
            hops.extend(h.strip() for h in value.decode("latin-1").split(",") if h.strip())

    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return _normalise(hop)
    # Every hop is one of ours: the left-most is where the request entered.
    return _normalise(hops[0]) if hops else _normalise(peer)
