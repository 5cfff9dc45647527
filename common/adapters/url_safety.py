"""Is this URL a public audio/video file we may hand to the provider (or fetch), not a way into a private network?

https/http only, at most 2,048 characters, no credentials in it, a host name or address that resolves — every
address it resolves to — to the public internet: no private, loopback, link-local (the cloud metadata service
169.254.169.254 included), multicast, reserved or unspecified addresses, and no IPv4 hidden in IPv6. A page URL of a
video site is refused with a sentence: downloading from pages is out of scope. `allowed_hosts` ("host:port") lets an
operator admit named private hosts on purpose (a self-hosted media server; the local cloud's own test server).
`check_endpoint` holds outgoing webhooks to the same rules, https only, and returns the address that passed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

MAX_URL_LENGTH = 2048
PAGE_SITES = ("youtube.com", "youtu.be", "vimeo.com", "rutube.ru", "vk.com", "tiktok.com", "dzen.ru")

Resolve = Callable[[str, int], list[str]]


class UnsafeUrl(ValueError):
    """Why the URL cannot be imported, as a sentence for the person who pasted it."""


def _resolve(host: str, port: int) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and (ip.ipv4_mapped or ip.sixtofour or ip.teredo):
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        return inner is not None and _public(str(inner))
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def _split(url: str, what: str) -> tuple[SplitResult, str, int]:
    """The URL's parts, its host (lower case, no trailing dot) and port; UnsafeUrl if too long or no URL at all."""
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"the {what} is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeUrl(f"this is not a valid {what}") from None
    return parts, (parts.hostname or "").rstrip(".").lower(), port


def _public_addresses(host: str, port: int, resolve: Resolve, private: str) -> list[str]:
    """The host's addresses, every one of them public (after resolving a name); UnsafeUrl(`private`) otherwise."""
    try:
        addresses = [host] if _is_address(host) else resolve(host, port)
    except OSError:
        raise UnsafeUrl(f"the host {host} could not be found") from None
    if not addresses or not all(_public(a) for a in addresses):
        raise UnsafeUrl(private)
    return addresses


def check(url: str, allowed_hosts: Iterable[str] = (), resolve: Resolve = _resolve) -> str:
    """The URL, if it may be fetched; otherwise UnsafeUrl saying why."""
    parts, host, port = _split(url, "link")
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl("only http and https links can be imported")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("the link must not contain a user name or password")
    if not host:
        raise UnsafeUrl("the link has no host")
    if any(host == site or host.endswith(f".{site}") for site in PAGE_SITES):
        raise UnsafeUrl(
            "links to video pages (YouTube and similar) cannot be imported; link to the audio or video file itself"
        )
    if f"{host}:{port}" not in set(allowed_hosts):
        private = "the link points into a private network; only public internet addresses can be imported"
        _public_addresses(host, port, resolve, private)
    return url.strip()


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


@dataclass(frozen=True)
class Endpoint:
    """Where a webhook goes: the checked URL and the address to connect to (None: a host admitted by name)."""

    url: str
    scheme: str
    host: str
    port: int
    target: str  # path and query, as sent in the request line
    address: str | None


def check_endpoint(url: str, allowed_hosts: Iterable[str] = (), resolve: Resolve = _resolve) -> Endpoint:
    """A webhook endpoint we may POST to: https, public addresses only (checked after resolving, so a name that
    resolves into a private network is refused), and the address that passed, which is what the caller must connect
    to (a second lookup could answer differently). http only for a host in `allowed_hosts` (the local cloud)."""
    parts, host, port = _split(url, "address")
    if parts.scheme not in ("http", "https") or not host:
        raise UnsafeUrl("the address must be an https:// URL")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("the address must not contain a user name or password")
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    if f"{host}:{port}" in set(allowed_hosts):
        return Endpoint(url.strip(), parts.scheme, host, port, target, None)
    if parts.scheme != "https":
        raise UnsafeUrl("the address must be an https:// URL")
    private = "the address points into a private network; only public internet addresses are allowed"
    addresses = _public_addresses(host, port, resolve, private)
    return Endpoint(url.strip(), parts.scheme, host, port, target, addresses[0])
