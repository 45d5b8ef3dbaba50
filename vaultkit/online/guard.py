"""SSRF guard: resolve, vet every address, then connect only to a vetted address.

The check runs inside urllib3's connection setup, so it applies to every connection
the checker opens, including those for redirect hops, and the socket goes to the very
address that was vetted (no second lookup, so no DNS-rebinding window). Keep-alive
connections are reused only for the same host and port they were vetted for.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from typing import Any, cast

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.response import HTTPResponse
from urllib3.util.connection import create_connection

from vaultkit.online import watchdog
from vaultkit.online.settings import Resolver

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class GuardError(Exception):
    """Base for guard refusals. Not an OSError, so urllib3 passes it through unwrapped."""


class Blocked(GuardError):
    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"blocked: resolves to private address {address}")
        self.host = host
        self.address = address


class DnsFailure(GuardError):
    def __init__(self, host: str, transient: bool = False) -> None:
        super().__init__(f"DNS lookup failed for host {host}")
        self.host = host
        self.transient = transient  # EAI_AGAIN: worth a retry


def _embedded_v4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr in _NAT64:
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    if addr.sixtofour is not None:
        return addr.sixtofour
    return None


def is_blocked_address(address: str) -> bool:
    """True for loopback, private, link-local, multicast, reserved, unspecified and any
    other non-global address, including IPv4 addresses embedded in IPv6 forms."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True  # not an address we understand: refuse
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and (v4 := _embedded_v4(ip)) is not None:
        candidates.append(v4)
    return any(
        a.is_loopback
        or a.is_private
        or a.is_link_local
        or a.is_multicast
        or a.is_reserved
        or a.is_unspecified
        or not a.is_global
        for a in candidates
    )


def system_resolver(host: str, port: int) -> list[str]:
    out: list[str] = []
    for family, _, _, _, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if family in (socket.AF_INET, socket.AF_INET6):
            address = str(sockaddr[0])
            if address not in out:
                out.append(address)
    return out


class Guard:
    def __init__(
        self,
        allow_private: bool,
        allow_hosts: frozenset[str],
        resolver: Resolver | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.allow_hosts = frozenset(h.lower().rstrip(".") for h in allow_hosts)
        self.resolver: Resolver = resolver or system_resolver

    def vet(self, host: str, port: int) -> Sequence[str]:
        """Resolve `host`; refuse if ANY address is non-global (unless exempt)."""
        name = host.strip("[]")
        try:
            addresses = list(self.resolver(name, port))
        except (OSError, UnicodeError) as exc:
            again = isinstance(exc, socket.gaierror) and exc.errno == socket.EAI_AGAIN
            raise DnsFailure(host.rstrip("."), again) from exc
        if not addresses:
            raise DnsFailure(host.rstrip("."))
        exempt = self.allow_private or name.lower().rstrip(".") in self.allow_hosts
        if not exempt:
            for address in addresses:
                if is_blocked_address(address):
                    raise Blocked(host, address)
        return addresses


def _open_socket(conn: HTTPConnection, guard: Guard | None) -> socket.socket:
    if guard is None:
        raise GuardError("connection opened without a guard")
    host = str(getattr(conn, "_dns_host", conn.host))
    addresses = guard.vet(host, conn.port)
    error: OSError | None = None
    for address in addresses:
        try:
            return create_connection(
                (address, conn.port),
                conn.timeout,
                source_address=conn.source_address,
                socket_options=conn.socket_options,
            )
        except TimeoutError as exc:
            msg = f"Connection to {conn.host} timed out. (connect timeout={conn.timeout})"
            raise ConnectTimeoutError(conn, msg) from exc
        except OSError as exc:
            error = exc
    raise NewConnectionError(conn, f"Failed to establish a new connection: {error}") from error


class _Guarded:
    """Connects through the guard, and puts each response under the request's deadline."""

    vk_guard: Guard | None = None
    vk_deadline: watchdog.Deadline | None = None

    def _new_conn(self) -> socket.socket:
        return _open_socket(self, self.vk_guard)  # type: ignore[arg-type]

    def getresponse(self) -> HTTPResponse:
        self.vk_deadline = watchdog.current()
        if self.vk_deadline is not None:
            self.vk_deadline.attach(self.sock)  # type: ignore[attr-defined]
        return super().getresponse()  # type: ignore[misc,no-any-return]


class GuardedHTTPConnection(_Guarded, HTTPConnection):  # type: ignore[misc]
    pass


class GuardedHTTPSConnection(_Guarded, HTTPSConnection):  # type: ignore[misc]
    pass


def _release_deadline(conn: Any) -> None:
    # Detach before the connection is reusable, so a late deadline cannot hit another
    # thread's request on the same socket.
    deadline = getattr(conn, "vk_deadline", None)
    if deadline is not None:
        deadline.detach(getattr(conn, "sock", None))
        conn.vk_deadline = None


class _HTTPPool(HTTPConnectionPool):
    def _put_conn(self, conn: Any) -> None:
        _release_deadline(conn)
        super()._put_conn(conn)


class _HTTPSPool(HTTPSConnectionPool):
    def _put_conn(self, conn: Any) -> None:
        _release_deadline(conn)
        super()._put_conn(conn)


class GuardedAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections go through `Guard` and the attempt deadline."""

    def __init__(self, guard: Guard, pool_connections: int, pool_maxsize: int) -> None:
        self._guard = guard
        super().__init__(pool_connections=pool_connections, pool_maxsize=pool_maxsize, max_retries=0)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        attrs = {"vk_guard": self._guard}
        http_conn = type("VkHTTPConnection", (GuardedHTTPConnection,), attrs)
        https_conn = type("VkHTTPSConnection", (GuardedHTTPSConnection,), attrs)
        http_pool = type("VkHTTPPool", (_HTTPPool,), {"ConnectionCls": http_conn})
        https_pool = type("VkHTTPSPool", (_HTTPSPool,), {"ConnectionCls": https_conn})
        self.poolmanager.pool_classes_by_scheme = {
            "http": cast(type[HTTPConnectionPool], http_pool),
            "https": cast(type[HTTPConnectionPool], https_pool),
        }

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("GuardedAdapter cannot be pickled")
