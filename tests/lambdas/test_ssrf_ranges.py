"""The SSRF guard's address verdicts: every IANA special-purpose range refused, on every Python version.

The ranges below are typed from the IANA IPv4 and IPv6 Special-Purpose Address Registries (sub-entries
included) independently of the guard's own tables, plus multicast, reserved and site-local space. Each
range contributes its first, last and a middle address, and each refused IPv4 range its IPv4-in-IPv6 forms
(mapped, 6to4, NAT64, Teredo): those are judged by the IPv4 address they carry, so ::ffff:0:0/96 and
64:ff9b::/96 themselves are not listed (a public IPv4 address inside them is allowed). The same table is run
through the guard under Python 3.11 (here), 3.12 and 3.13 (subprocesses; the guard is stdlib-only), which
must agree with this list exactly.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import ssrf_guard

DOWNLOADER = Path(ssrf_guard.__file__).parent

IPV4_SPECIAL = [
    "0.0.0.0/8", "0.0.0.0/32", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.0.0/29", "192.0.0.8/32", "192.0.0.9/32", "192.0.0.10/32", "192.0.0.170/32",
    "192.0.0.171/32", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16",
    "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
    "224.0.0.0/4",  # multicast (its own registry)
]  # fmt: skip
IPV6_SPECIAL = [
    "::1/128", "::/128", "64:ff9b:1::/48", "100::/64", "100:0:0:1::/64", "2001::/23",
    "2001:1::1/128", "2001:1::2/128", "2001:1::3/128", "2001:2::/48", "2001:3::/32", "2001:4:112::/48",
    "2001:10::/28", "2001:20::/28", "2001:30::/28", "2001:db8::/32", "2620:4f:8000::/48", "3fff::/20",
    "5f00::/16", "fc00::/7", "fe80::/10",
    "fec0::/10", "ff00::/8", "::/96", "4000::/2", "e000::/4",  # site-local, multicast, outside 2000::/3
]  # fmt: skip
PUBLIC = [
    "8.8.8.8", "1.1.1.1", "93.184.215.14", "151.101.1.140", "192.0.1.1", "192.0.3.1", "198.17.255.255",
    "198.20.0.0", "223.255.255.255", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0",
    "2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "2001:4860:4860::8888", "2620:4f:7fff::1",
    "64:ff9b::808:808", "::ffff:8.8.8.8", "2002:808:808::1",
]  # fmt: skip


def sample(network: str) -> list[str]:
    net = ipaddress.ip_network(network)
    return sorted({str(net[0]), str(net[-1]), str(net[net.num_addresses // 2])})


def embedded_forms(ipv4: str) -> list[str]:
    address = ipaddress.IPv4Address(ipv4)
    teredo = ipaddress.IPv6Address((0x20010000 << 96) | (int(address) ^ 0xFFFFFFFF))
    return [
        f"::ffff:{address}",
        str(ipaddress.IPv6Address((0x2002 << 112) | (int(address) << 80))),
        str(ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(address))),
        str(teredo),
    ]


REFUSED = sorted(
    {a for n in IPV4_SPECIAL + IPV6_SPECIAL for a in sample(n)}
    | {form for n in IPV4_SPECIAL for a in sample(n) for form in embedded_forms(a)}
    | {"169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "::ffff:169.254.169.254"}
)


def verdicts(addresses: list[str]) -> dict[str, str | None]:
    return {a: ssrf_guard.refusal_reason(ipaddress.ip_address(a), allow_loopback=False) for a in addresses}


@pytest.mark.security_family("downloader: SSRF address ranges")
@pytest.mark.parametrize("address", REFUSED)
def test_every_special_purpose_address_is_refused(address):
    assert verdicts([address])[address] is not None


@pytest.mark.security_family("downloader: SSRF address ranges")
@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address):
    assert verdicts([address])[address] is None


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback address"),
        ("10.0.0.1", "private address (RFC 1918)"),
        ("100.64.0.1", "shared address (carrier-grade NAT, RFC 6598)"),
        ("192.0.0.8", "IETF protocol assignment (RFC 6890)"),
        ("169.254.169.254", "cloud metadata address"),
        ("fd00:ec2::254", "cloud metadata address"),
        ("fec0::1", "site-local address (deprecated, RFC 3879)"),
        ("fe80::1", "link-local address"),
        ("5f00::1", "address outside the IPv6 global unicast range 2000::/3"),
        ("::ffff:169.254.169.254", "cloud metadata address (IPv4 169.254.169.254 inside IPv6)"),
        ("64:ff9b::a00:1", "private address (RFC 1918) (IPv4 10.0.0.1 inside IPv6)"),
    ],
)
def test_refusals_name_the_range(address, reason):
    assert verdicts([address])[address] == reason


def test_allowing_loopback_allows_loopback_only():
    allow = {"allow_loopback": True}
    for address in ("127.0.0.1", "127.255.0.1", "::1", "::ffff:127.0.0.1"):
        assert ssrf_guard.refusal_reason(ipaddress.ip_address(address), **allow) is None
    for address in ("10.0.0.1", "0.0.0.0", "::", "fe80::1", "169.254.169.254"):
        assert ssrf_guard.refusal_reason(ipaddress.ip_address(address), **allow) is not None


def test_whatever_this_python_calls_non_global_is_refused_too():
    # The stdlib's view is a cross-check (it may refuse less, never more, than the guard).
    candidates = {a for n in IPV4_SPECIAL + IPV6_SPECIAL for a in sample(n)} | set(PUBLIC)
    for address in sorted(candidates):
        ip = ipaddress.ip_address(address)
        if not ip.is_global and not (isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped):
            assert verdicts([address])[address] is not None, address


# Hosts as a URL may spell them; getaddrinfo turns each into an address without any DNS query.
URL_FORMS = [
    "http://0177.0.0.1/", "http://2130706433/", "http://0x7f000001/", "http://127.1/", "http://0/",
    "http://[::ffff:127.0.0.1]/", "http://[0:0:0:0:0:ffff:7f00:1]/", "http://[::]/", "http://[::ffff:0:7f00:1]/",
    "http://0xa9.0xfe.0xa9.0xfe/", "http://[fec0::1]/", "http://192.0.0.8/", "http://[::127.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/", "http://[2001:db8::1]/", "http://[2002:a9fe:a9fe::]/", "http://100.64.1.1:8080/",
]  # fmt: skip


@pytest.mark.security_family("downloader: SSRF address ranges")
@pytest.mark.parametrize("url", URL_FORMS)
def test_every_spelling_of_a_refused_host_is_refused(url, monkeypatch):
    # GIVEN a resolver that may only parse numbers (no DNS query leaves this machine)
    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda host, *a, **k: real(host, *a, **{**k, "flags": socket.AI_NUMERICHOST})
    )
    # THEN the URL is refused before anything is fetched
    with pytest.raises(ssrf_guard.UnsafeUrlError):
        ssrf_guard.check_url(url, allow_loopback=False)


# ── the same verdicts on every Python the functions may run on ─────────────────────────────────────────

PROBE = """
import ipaddress, json, sys
sys.path.insert(0, sys.argv[1])
import ssrf_guard
addresses = json.load(sys.stdin)
print(json.dumps({a: ssrf_guard.refusal_reason(ipaddress.ip_address(a), allow_loopback=False) for a in addresses}))
"""


def pyenv_interpreter(version: str, name: str) -> str | None:
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    path = Path(root) / "versions" / version / "bin" / name
    return str(path) if path.exists() else None


INTERPRETERS = [
    ("3.11 (this one)", sys.executable),
    ("3.12", pyenv_interpreter("3.12.1", "python3.12")),
    ("3.13", pyenv_interpreter("3.13.0", "python3.13")),
]


@pytest.mark.security_family("downloader: SSRF guard on every Python")
@pytest.mark.parametrize("python", [i[1] for i in INTERPRETERS], ids=[i[0] for i in INTERPRETERS])
def test_the_guard_gives_the_same_verdicts_on_every_python(python):
    if python is None:
        pytest.skip("this interpreter is not installed here (pyenv); its verdicts were NOT checked")
    table = REFUSED + PUBLIC
    result = subprocess.run(
        [python, "-I", "-c", PROBE, str(DOWNLOADER)],
        input=json.dumps(table),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    seen = json.loads(result.stdout)
    assert seen == verdicts(table)
    assert [a for a in REFUSED if seen[a] is None] == []
    assert [a for a in PUBLIC if seen[a] is not None] == []
