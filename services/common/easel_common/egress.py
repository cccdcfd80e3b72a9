"""Outbound HTTP to addresses users give (model imports, webhooks): only public hosts, unless allow-listed.

A host is resolved once and the connection is pinned to the address that was checked, so DNS cannot answer a
public address to the check and a private one to the connection (rebinding). Proxies from the environment are never
used by the callers (trust_env=False): a proxy would connect on Easel's behalf and bypass the check.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpx

from easel_proto.errors import InvalidInput

RESOLVE_TIMEOUT_S = 5.0
METADATA_ADDRESSES = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


def forbidden_address(address: str) -> bool:
    """Private, loopback, link-local, multicast, reserved, unspecified, metadata or any other non-global address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip in METADATA_ADDRESSES or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
            or ip.is_reserved or ip.is_unspecified or not ip.is_global)


def allowed_host(host: str, allow_hosts: Iterable[str]) -> bool:
    return host.lower().rstrip(".") in {h.lower().rstrip(".") for h in allow_hosts}


async def resolve_public(host: str, port: int, allow_hosts: Iterable[str], *, field: str, hint: str) -> str | None:
    """The address to connect to (None: an allow-listed host, connect as usual); InvalidInput naming `field` for a
    host that does not resolve or resolves to anything non-public (`hint` says what may be reached instead)."""
    if allowed_host(host, allow_hosts):
        return None
    try:
        infos = await asyncio.wait_for(asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM),
                                       RESOLVE_TIMEOUT_S)
    except (socket.gaierror, TimeoutError, UnicodeError):
        raise InvalidInput(field, f"cannot resolve host {host!r}") from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise InvalidInput(field, f"cannot resolve host {host!r}")
    if any(forbidden_address(a) for a in addresses):
        raise InvalidInput(field, f"host {host!r} resolves to a private or reserved address; {hint}")
    return addresses[0]


def pinned(url: httpx.URL, address: str | None) -> tuple[httpx.URL, dict[str, str], dict[str, Any]]:
    """(url, headers, extensions) that connect to the address that was checked, not to whatever DNS says a moment
    later, while TLS and the Host header still name the host."""
    if address is None:
        return url, {}, {}
    default_port = 443 if url.scheme == "https" else 80
    host_header = url.host if url.port in (None, default_port) else f"{url.host}:{url.port}"
    extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
    return url.copy_with(host=address), {"Host": host_header}, extensions


def check_url(url: str, allow_hosts: Iterable[str], *, field: str) -> httpx.URL:
    """An absolute http(s) URL without credentials: https, or plain http to an allow-listed host."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        raise InvalidInput(field, "not a URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InvalidInput(field, "an absolute http(s) URL")
    if parsed.userinfo:
        raise InvalidInput(field, "no user name or password in the URL")
    if parsed.scheme != "https" and not allowed_host(parsed.host, allow_hosts):
        raise InvalidInput(field, "https only (plain http only to allow-listed hosts)")
    return parsed


async def check_public_url(url: str, allow_hosts: Iterable[str], *, field: str) -> str:
    """check_url, and the host must resolve to public addresses only (or be allow-listed). The caller checks again
    when it connects: DNS answers change."""
    parsed = check_url(url, allow_hosts, field=field)
    await resolve_public(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80), allow_hosts,
                         field=field, hint="only public hosts may be reached (or hosts on EASEL_WEBHOOK_ALLOW_HOSTS)")
    return str(parsed)
