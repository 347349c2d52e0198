"""The address a request really comes from: for login throttling and the audit log.

Behind a reverse proxy every request arrives from the proxy (``REMOTE_ADDR``); the proxy
names its peer by appending it to ``X-Forwarded-For`` after whatever the client wrote there.
So the header is read from the right: addresses of trusted proxies
(``settings.TRUSTED_PROXIES``, addresses or networks) are skipped, and the first address that
is not a trusted proxy is the client. A peer that is not a trusted proxy is itself the client,
and its ``X-Forwarded-For`` is ignored: it could have written anything there.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as text, or None when the peer's address is not one."""
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    proxies = trusted_networks(getattr(settings, "TRUSTED_PROXIES", ()))
    client = peer
    if _is_trusted(peer, proxies):
        for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            address = parse_address(hop)
            if address is None:
                # Only a client writes garbage: the nearest proxy is all we know.
                break
            client = address
            if not _is_trusted(address, proxies):
                break
    return str(client)


def parse_address(raw: str) -> Address | None:
    """An address from a header or REMOTE_ADDR; a port (``1.2.3.4:80``, ``[::1]:80``) is
    dropped and an IPv4-mapped IPv6 address is read as IPv4."""
    text = raw.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def trusted_networks(entries: Iterable[str]) -> list[Network]:
    """The trusted proxies as networks (a single address is a network of one).

    Raises ValueError for an entry that is neither (settings check this at start-up).
    """
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries]


def _is_trusted(address: Address, proxies: list[Network]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)
