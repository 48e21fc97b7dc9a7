"""Where a download may connect: a page from the public web cannot steer Reader onto this
computer or its local network (its images and redirects pointing at 127.0.0.1, a router, or a
cloud's 169.254.169.254), unless the page itself came from there.

The check is made on the addresses a name resolves to, and the connection goes to the address
that was checked, so a name that resolves differently the second time (DNS rebinding) gains
nothing. Connections are direct: a proxy would resolve names where this check cannot see.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable

import httpcore

_DIRECT = httpcore.SyncBackend()


class LocalAddressRefused(Exception):
    """The address is on this computer or its local network, and the page is not."""

    def __init__(self, host: str, address: str):
        super().__init__(f"{host} is on this computer or its local network ({address}), and "
                         "a page from the web may not make Reader connect there")


class NameNotFound(Exception):
    """The name does not resolve."""


def is_local(address: str) -> bool:
    """Whether ``address`` (an IP, IPv4 or IPv6) is loopback, private, link-local, or otherwise
    not on the public internet; an IPv4 address written as IPv6 (::ffff:a.b.c.d) counts as
    itself."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # a link-local IPv6 may carry %scope
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def host_is_local(host: str) -> bool:
    """Whether ``host`` is, or resolves to, a local address (False if it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return False
    return any(is_local(info[4][0]) for info in infos)


class Reach:
    """Whether one download (a page with its redirects, or one image) may connect to local
    addresses: ``Reach(True)`` or ``Reach(False)`` for every connection it makes, or
    ``Reach.for_page(redirects)``.
    """

    def __init__(self, local: bool | None, then: bool | None = None):
        self.local = local  # None: anywhere, for the first connection only
        self._then = then  # the rule after that first connection; None: as its address

    @classmethod
    def for_page(cls, redirects: bool | None) -> Reach:
        """A page the user asked for is fetched wherever it is; its redirects may go local if
        ``redirects`` is True, never if False, and if None only when the page's own address
        is local (a page on this computer may send us elsewhere on it; one from the web not)."""
        return cls(None, redirects)

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses of ``host`` this download may connect to, best first."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise NameNotFound(host) from error
        found = list(dict.fromkeys(info[4][0] for info in infos))
        if self.local is not False:
            return found
        allowed = [address for address in found if not is_local(address)]
        if not allowed:
            raise LocalAddressRefused(host, found[0])
        return allowed

    def connected(self, address: str) -> None:
        if self.local is None:
            self.local = is_local(address) if self._then is None else self._then


class Connector(httpcore.NetworkBackend):
    """httpcore's network backend for one download: resolves and checks each host with
    ``reach``, connects to a checked address, and hands each socket to ``opened`` (so a
    deadline or a cancel can shut it)."""

    def __init__(self, reach: Reach, opened: Callable[[socket.socket], None]):
        self._reach = reach
        self._opened = opened

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        failure: Exception | None = None
        for address in self._reach.addresses(host, port):
            try:
                stream = _DIRECT.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
                continue
            self._opened(stream.get_extra_info("socket"))
            self._reach.connected(address)
            return stream
        assert failure is not None  # addresses() never returns an empty list
        raise failure

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("Reader connects to web addresses only")

    def sleep(self, seconds: float) -> None:
        _DIRECT.sleep(seconds)
