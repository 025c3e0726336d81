"""Where a delivery may go (CONTRACT §12), decided at every attempt.

Outside development only `https` URLs whose every resolved address is public; with
`CRM_WEBHOOK_ALLOW_PRIVATE` private and loopback addresses too (still `https` only). In
development `http` and any address. The name is resolved once, here, and the attempt connects
to exactly the addresses that were checked: a DNS answer cannot change between the check and the
connection (no rebinding to an inside address).

An IPv6 address that carries an IPv4 one (IPv4-mapped, 6to4, the NAT64 prefix) is judged by the
IPv4 address. Multicast, reserved, unspecified and link-local addresses (the cloud metadata
service at 169.254.169.254 among them) are never allowed outside development, not even with
`CRM_WEBHOOK_ALLOW_PRIVATE`.
"""

import dataclasses
import ipaddress
import socket
from urllib.parse import quote, urlsplit

from django.conf import settings

from webhooks.services import URL_NOT_HTTP, URL_NOT_HTTPS, allowed_url_schemes

DEFAULT_PORTS = {"http": 80, "https": 443}
REQUEST_LINE_SAFE = "".join(chr(code) for code in range(0x21, 0x7F))  # printable ASCII but space
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

NOT_PUBLIC = "which is not a public address (CRM_WEBHOOK_ALLOW_PRIVATE=1 allows private and loopback ones)"
NEVER_ALLOWED = "which is never allowed (multicast, reserved, unspecified or link-local)"


class DestinationError(Exception):
    """Why this attempt cannot be made; the message is what the attempt's log shows."""


@dataclasses.dataclass(frozen=True)
class Destination:
    scheme: str
    host: str  # as in the URL, without brackets: the TLS server name and the Host header's
    port: int
    target: str  # path and query, as the request line carries them
    # (family, sockaddr) of every address the host resolved to, each checked, in resolver order.
    addresses: tuple[tuple[int, tuple], ...]


def destination(url: str) -> Destination:
    """The checked destination of `url`, resolved once; DestinationError if it may not be used."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DestinationError(f"'{url}' is not a valid URL.") from None
    scheme = parts.scheme.lower()
    if scheme not in allowed_url_schemes():
        raise DestinationError(URL_NOT_HTTP if settings.IS_DEVELOPMENT else URL_NOT_HTTPS)
    host = parts.hostname
    if not host:
        raise DestinationError(f"'{url}' names no host.")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise DestinationError(f"'{url}' names a host that is not a valid domain name.") from None
    port = port or DEFAULT_PORTS[scheme]
    # As a browser sends it: characters a request line cannot carry percent-encoded, the rest kept.
    target = quote((parts.path or "/") + (f"?{parts.query}" if parts.query else ""), safe=REQUEST_LINE_SAFE)
    return Destination(scheme, host, port, target, _resolve(host, port))


def _resolve(host: str, port: int) -> tuple[tuple[int, tuple], ...]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise DestinationError(f"{host} could not be resolved: {exc}.") from None
    addresses = list(dict.fromkeys((family, sockaddr) for family, _, _, _, sockaddr in answers))
    if not addresses:
        raise DestinationError(f"{host} resolved to no address.")
    if not settings.IS_DEVELOPMENT:
        for _, sockaddr in addresses:
            address = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])  # "fe80::1%eth0"
            refusal = refused_because(address)
            if refusal:
                raise DestinationError(f"{host} resolves to {address}, {refusal}.")
    return tuple(addresses)


def refused_because(address: Address) -> str:
    """Why `address` may not receive outside development; "" when it may."""
    address = embedded_ipv4(address)
    allow_private = settings.CRM_WEBHOOK_ALLOW_PRIVATE
    if address.is_loopback:
        return "" if allow_private else NOT_PUBLIC
    if address.is_multicast or address.is_reserved or address.is_unspecified or address.is_link_local:
        return NEVER_ALLOWED
    if address.is_global or (allow_private and address.is_private):
        return ""
    return NOT_PUBLIC


def embedded_ipv4(address: Address) -> Address:
    """The IPv4 address an IPv6 one stands for (IPv4-mapped, 6to4, NAT64), else the address."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64_PREFIX:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address
