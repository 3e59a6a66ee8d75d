"""What a login route needs besides the form: the throttle and the client's address.

Both are put on `app.state` by the composition root: `login_throttle` (a LoginThrottle) and
`trusted_proxies` (the networks whose X-Forwarded-For is believed; empty: none is).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Annotated

from fastapi import Depends, Request

from backend.auth.throttle import LoginThrottle

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """'10.0.0.1, 172.16.0.0/12' -> networks; a wrong entry is an error at start."""
    return tuple(ipaddress.ip_network(part.strip()) for part in text.split(",") if part.strip())


def _trusted(host: str, networks: Iterable[Network]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def address_of(peer: str, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """The client: the peer, unless the peer is a trusted proxy; then the right-most
    X-Forwarded-For hop that is not one of ours (hops to its left are the client's say)."""
    if not _trusted(peer, trusted):
        return peer or "unknown"
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop[:64]
    return hops[0][:64] if hops else peer


def client_address(request: Request) -> str:
    trusted: Sequence[Network] = getattr(request.app.state, "trusted_proxies", ())
    peer = request.client.host if request.client else ""
    return address_of(peer, request.headers.getlist("x-forwarded-for"), trusted)


def login_throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


ClientAddress = Annotated[str, Depends(client_address)]
ThrottleDep = Annotated[LoginThrottle, Depends(login_throttle)]
