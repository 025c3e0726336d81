"""Made-up host names for the webhook address tests: a test says what a name resolves to (or
that it does not resolve) without a DNS server; every other name goes to the real resolver.
`lookups` lists the names looked up, in order, so a test can count them."""

import ipaddress
import socket


class FakeNames:
    def __init__(self):
        self.answers: dict[str, tuple[str, ...]] = {}
        self.lookups: list[str] = []
        self._real = socket.getaddrinfo

    def resolve(self, name: str, *addresses: str) -> None:
        """`name` resolves to `addresses` (none: it does not resolve); later calls replace it."""
        self.answers[name.lower()] = addresses

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        if not isinstance(host, str) or host.lower() not in self.answers:
            return self._real(host, port, family, type, proto, flags)
        self.lookups.append(host.lower())
        addresses = self.answers[host.lower()]
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [_answer(text, port) for text in addresses]


def _answer(address: str, port: int) -> tuple:
    if ipaddress.ip_address(address).version == 6:
        return (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))
