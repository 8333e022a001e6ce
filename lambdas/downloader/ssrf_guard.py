"""SSRF guard: the downloader only ever connects to public internet addresses.

Two layers:
- `check_url` resolves the job's URL host (every address, IPv4 and IPv6) before anything is fetched, so a
  refusal is immediate and names the address.
- `guarded_resolution` checks every name resolution made while yt-dlp runs, so redirects, URLs found inside
  pages and DNS answers that change between the check and the download are held to the same rule. The check
  sits in `socket.getaddrinfo`, which every connection of yt-dlp's HTTP handlers (urllib and requests
  alike) goes through, and the addresses it approves are the ones connected to.

Refused: private, loopback, link-local (169.254.0.0/16 holds the EC2/ECS metadata endpoints), multicast,
reserved, unspecified, shared (100.64.0.0/10) and other non-global ranges, IPv4 addresses hidden in IPv6
(mapped, 6to4, Teredo), and fd00:ec2::254. ALLOW_LOOPBACK_URLS=true lets loopback through (local testing), and
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


class UnsafeUrlError(Exception):
    """The URL (or a redirect or resource it leads to) points at an address the downloader must not reach."""


class UnsafeAddressError(OSError):
    """Raised from inside the guarded resolver; yt-dlp sees a failed connection."""


def refusal_reason(address: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why the downloader must not connect to `address`, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None:
            reason = refusal_reason(embedded, allow_loopback=allow_loopback)
            return f"{reason} (embedded in {address})" if reason else None
    if address in CLOUD_METADATA_ADDRESSES:
        return "cloud metadata address"
    if address.is_loopback:
        return None if allow_loopback else "loopback address"
    checks = (
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-global", not address.is_global),
    )
    for name, matched in checks:
        if matched:
            return f"{name} address"
    return None


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
