"""The address guard: sources that chat users add never make the server fetch an inside address.

A URL from a chat could point at the host itself, the private network or a cloud metadata
service (169.254.169.254). The guard refuses any host that is, or resolves to, a loopback,
private, link-local, multicast, reserved, unspecified or otherwise non-public address, over IPv4
and IPv6, however the host is written (``2130706433``, ``0x7f.1``, ``[::ffff:127.0.0.1]``).

It checks at the moment of connecting: its resolver wraps aiohttp's, so every request, every
redirect and every new DNS answer is checked, and a name cannot resolve to a public address for
the check and to a private one for the connection. IP literals skip aiohttp's resolver, so a
trace hook checks them (and the scheme) before the first request and after each redirect.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.ingest.errors import FeedFetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# In the order a refusal names them: the most specific class first.
_CLASSES = (
    ("unspecified", "is_unspecified"),
    ("loopback", "is_loopback"),
    ("link-local", "is_link_local"),
    ("multicast", "is_multicast"),
    ("reserved", "is_reserved"),
    ("private", "is_private"),
)


class BlockedAddressError(FeedFetchError):
    """The URL's scheme is not http(s), or its host is or resolves to an inside address."""


def parse_networks(text: str) -> tuple[IPNetwork, ...]:
    """``"10.1.0.0/16, fd00::/8"`` to networks; ValueError names the bad part."""
    networks = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"not an IP network: {part!r} (write e.g. 10.0.0.0/8)") from None
    return tuple(networks)


def literal_address(host: str) -> IPAddress | None:
    """The address a host names by itself, in any spelling the system resolver accepts."""
    bare = host.strip().strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        pass
    try:
        # inet_aton reads what getaddrinfo would: decimal, hex, octal and short forms.
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except (OSError, ValueError):
        return None


def address_class(ip: IPAddress) -> str | None:
    """Why ``ip`` is no public address ("loopback", "private"...), or None when it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return address_class(embedded)
    for name, attribute in _CLASSES:
        if getattr(ip, attribute):
            return name
    return None if ip.is_global else "non-public"


class AddressGuard:
    """Refuses inside addresses, except those in ``allow`` (a private deployment's own net)."""

    def __init__(
        self, resolver: AbstractResolver | None = None, allow: Iterable[IPNetwork] = ()
    ) -> None:
        self._inner = resolver
        self.allow = tuple(allow)

    def refusal(self, ip: IPAddress) -> str | None:
        if any(ip.version == net.version and ip in net for net in self.allow):
            return None
        return address_class(ip)

    async def check_url(self, url: str) -> None:
        """Raise BlockedAddressError unless ``url`` is http(s) and its host resolves only to
        allowed addresses. A name that cannot be resolved raises FeedFetchError."""
        host, port = self._target(url)
        try:
            await self.resolve(host, port, url=url)
        except OSError as exc:
            raise FeedFetchError(url, f"DNS lookup failed for {host}: {exc}") from None

    async def resolve(self, host: str, port: int, *, url: str | None = None) -> list[ResolveResult]:
        literal = literal_address(host)
        if literal is not None:
            self._check(literal, host, url)
            return [_result(host, literal, port)]
        found = await self._resolver().resolve(host, port, socket.AF_UNSPEC)
        for entry in found:
            self._check(ipaddress.ip_address(entry["host"]), host, url)
        return found

    def resolver(self) -> AbstractResolver:
        """For ``aiohttp.TCPConnector(resolver=...)``."""
        return _GuardedResolver(self)

    def trace_config(self) -> aiohttp.TraceConfig:
        """For ``aiohttp.ClientSession(trace_configs=[...])``: scheme and IP-literal checks."""
        trace = aiohttp.TraceConfig()
        trace.on_request_start.append(self._on_start)
        trace.on_request_redirect.append(self._on_redirect)
        return trace

    def _resolver(self) -> AbstractResolver:
        if self._inner is None:
            self._inner = aiohttp.ThreadedResolver()
        return self._inner

    def _target(self, url: str) -> tuple[str, int]:
        try:
            parsed = URL(url)
            host, port = parsed.raw_host, parsed.port
        except ValueError:
            raise BlockedAddressError(url, f"not a valid URL: {url[:100]!r}") from None
        if parsed.scheme not in ("http", "https") or not host:
            raise BlockedAddressError(url, f"only http(s) URLs may be fetched: {url[:100]!r}")
        return host, port or (443 if parsed.scheme == "https" else 80)

    def _check(self, ip: IPAddress, host: str, url: str | None) -> None:
        why = self.refusal(ip)
        if why is not None:
            where = host if str(ip) == host.strip("[]") else f"{host} ({ip})"
            raise BlockedAddressError(
                url or host, f"refused: {where} is a {why} address, not a public one"
            )

    def _check_literal(self, url: URL) -> None:
        text = str(url)
        host, _ = self._target(text)
        literal = literal_address(host)
        if literal is not None:
            self._check(literal, host, text)

    async def _on_start(
        self, session: aiohttp.ClientSession, ctx: SimpleNamespace, params: Any
    ) -> None:
        self._check_literal(params.url)

    async def _on_redirect(
        self, session: aiohttp.ClientSession, ctx: SimpleNamespace, params: Any
    ) -> None:
        location = params.response.headers.get("Location")
        if location:
            self._check_literal(params.url.join(URL(location)))


class _GuardedResolver(AbstractResolver):
    def __init__(self, guard: AddressGuard) -> None:
        self._guard = guard

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return await self._guard.resolve(host, port)

    async def close(self) -> None:
        return None  # the inner resolver belongs to the guard, which outlives sessions


def _result(host: str, ip: IPAddress, port: int) -> ResolveResult:
    family = socket.AF_INET if ip.version == 4 else socket.AF_INET6
    return ResolveResult(
        hostname=host, host=str(ip), port=port, family=family, proto=0, flags=socket.AI_NUMERICHOST
    )
