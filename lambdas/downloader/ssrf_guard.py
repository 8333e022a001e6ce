"""SSRF guard: the downloader only ever connects to public internet addresses.

Two layers:
- `check_url` resolves the job's URL host (every address, IPv4 and IPv6) before anything is fetched, so a
  refusal is immediate and names the address.
- `guarded_resolution` checks every name resolution made while yt-dlp runs, so redirects, URLs found inside
  pages and DNS answers that change between the check and the download are held to the same rule. The check
  sits in `socket.getaddrinfo`, which every connection of yt-dlp's HTTP handlers (urllib and requests
  alike) goes through, and the addresses it approves are the ones connected to.

Refused, by explicit tables rather than `ipaddress`'s is_private/is_global flags (whose answers change
between Python patch releases: 3.11 and 3.12 let 192.0.0.0/24 and fec0::/10 through): every range of the
IANA IPv4 and IPv6 Special-Purpose Address Registries, multicast, 240.0.0.0/4, and any IPv6 address outside
2000::/3 (the only global unicast space IANA allocates; site-local fec0::/10 included). IPv4 addresses carried
inside IPv6 (mapped, 6to4, Teredo, NAT64 64:ff9b::/96) are judged as the IPv4 address they reach. Cloud
metadata addresses are named as such. ALLOW_LOOPBACK_URLS=true lets loopback through (local testing), and
nothing else.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

CLOUD_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# (network, what it is): the IANA IPv4 Special-Purpose Address Registry (RFC 6890 and its updates), plus
# multicast. Every entry is refused, the globally reachable anycast ones too: no video lives there.
IPV4_REFUSED = tuple(
    (ipaddress.ip_network(network), name)
    for network, name in (
        ("0.0.0.0/8", "'this network' address (RFC 791)"),
        ("10.0.0.0/8", "private address (RFC 1918)"),
        ("100.64.0.0/10", "shared address (carrier-grade NAT, RFC 6598)"),
        ("127.0.0.0/8", "loopback address"),
        ("169.254.0.0/16", "link-local address (RFC 3927)"),
        ("172.16.0.0/12", "private address (RFC 1918)"),
        ("192.0.0.0/24", "IETF protocol assignment (RFC 6890)"),
        ("192.0.2.0/24", "documentation address (TEST-NET-1)"),
        ("192.31.196.0/24", "AS112 address (RFC 7535)"),
        ("192.52.193.0/24", "AMT address (RFC 7450)"),
        ("192.88.99.0/24", "6to4 relay anycast address (RFC 7526)"),
        ("192.168.0.0/16", "private address (RFC 1918)"),
        ("192.175.48.0/24", "AS112 direct delegation address (RFC 7534)"),
        ("198.18.0.0/15", "benchmarking address (RFC 2544)"),
        ("198.51.100.0/24", "documentation address (TEST-NET-2)"),
        ("203.0.113.0/24", "documentation address (TEST-NET-3)"),
        ("224.0.0.0/4", "multicast address"),
        ("240.0.0.0/4", "reserved address (RFC 1112)"),
        ("255.255.255.255/32", "broadcast address"),
    )
)

# The IANA IPv6 Special-Purpose Address Registry inside 2000::/3; everything outside 2000::/3 is refused
# anyway (loopback, unspecified, IPv4-compatible, ULA fc00::/7, link-local fe80::/10, site-local fec0::/10,
# multicast ff00::/8, discard 100::/64, 64:ff9b:1::/48 …), named by IPV6_NAMES where it has a common name.
IPV6_REFUSED = tuple(
    (ipaddress.ip_network(network), name)
    for network, name in (
        ("2001::/23", "IETF protocol assignment (RFC 2928)"),
        ("2001:db8::/32", "documentation address (RFC 3849)"),
        ("2620:4f:8000::/48", "AS112 direct delegation address (RFC 7534)"),
        ("3fff::/20", "documentation address (RFC 9637)"),
    )
)
GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")
NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
IPV6_NAMES = tuple(
    (ipaddress.ip_network(network), name)
    for network, name in (
        ("::/128", "unspecified address"),
        ("::1/128", "loopback address"),
        ("fc00::/7", "unique local address (private, RFC 4193)"),
        ("fe80::/10", "link-local address"),
        ("fec0::/10", "site-local address (deprecated, RFC 3879)"),
        ("ff00::/8", "multicast address"),
    )
)


class UnsafeUrlError(Exception):
    """The URL (or a redirect or resource it leads to) points at an address the downloader must not reach."""


class UnsafeAddressError(OSError):
    """Raised from inside the guarded resolver; yt-dlp sees a failed connection."""


def refusal_reason(address: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why the downloader must not connect to `address`, or None when it may."""
    if address in CLOUD_METADATA_ADDRESSES:
        return "cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            reason = refusal_reason(embedded, allow_loopback=allow_loopback)
            # Named by the IPv4 address: how Python prints a mapped IPv6 address changed in 3.13.
            return f"{reason} (IPv4 {embedded} inside IPv6)" if reason else None
        if address == ipaddress.IPv6Address("::1"):
            return None if allow_loopback else "loopback address"
        if address not in GLOBAL_UNICAST_V6:
            name = next((name for network, name in IPV6_NAMES if address in network), None)
            return name or "address outside the IPv6 global unicast range 2000::/3"
        return next((name for network, name in IPV6_REFUSED if address in network), None)
    for network, name in IPV4_REFUSED:
        if address in network:
            return None if allow_loopback and name == "loopback address" else name
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a mapped, 6to4, Teredo or NAT64 address reaches, if it is one of those."""
    if address in NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)


def resolve_all(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return _addresses(infos)


def check_url(url: str, *, allow_loopback: bool) -> None:
    """UnsafeUrlError unless every address of the URL's host is one the downloader may reach.

    A host that does not resolve raises OSError (socket.gaierror): a transient failure, retried.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrlError(f"only http and https URLs with a host are fetched, not {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for address in resolve_all(parts.hostname, port):
        reason = refusal_reason(address, allow_loopback=allow_loopback)
        if reason:
            raise UnsafeUrlError(f"{parts.hostname} resolves to {address}, a {reason}")


class ResolutionGuard:
    """Records the refusals made while active, so the caller can report them after yt-dlp gives up."""

    def __init__(self, allow_loopback: bool) -> None:
        self.allow_loopback = allow_loopback
        self.refusals: list[str] = []

    def raise_if_refused(self) -> None:
        if self.refusals:
            raise UnsafeUrlError("; ".join(self.refusals))


@contextlib.contextmanager
def guarded_resolution(*, allow_loopback: bool) -> Iterator[ResolutionGuard]:
    """While active, any resolution to a refused address fails with UnsafeAddressError and is recorded.

    Patches socket.getaddrinfo process-wide: safe in Lambda, where one invocation runs at a time.
    """
    guard = ResolutionGuard(allow_loopback)
    original = socket.getaddrinfo

    def checked_getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        infos = original(host, port, *args, **kwargs)
        for address in _addresses(infos):
            reason = refusal_reason(address, allow_loopback=allow_loopback)
            if reason:
                refusal = f"{_text(host)} resolves to {address}, a {reason}"
                guard.refusals.append(refusal)
                raise UnsafeAddressError(refusal)
        return infos

    socket.getaddrinfo = checked_getaddrinfo
    try:
        yield guard
    finally:
        socket.getaddrinfo = original


def _addresses(infos: list) -> list[IPAddress]:
    # sockaddr[0] may carry an IPv6 zone ("fe80::1%eth0"); the zone does not change the verdict.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def _text(host: object) -> str:
    return host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
