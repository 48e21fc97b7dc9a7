"""Where a model server is, and whether an API key may travel there."""

from __future__ import annotations

import ipaddress

import httpx

from reader.errors import ModelError


def server_root(endpoint: str) -> str:
    """The server's address without ``/v1`` (or ``/v1/chat/completions``) and trailing slash."""
    text = endpoint.strip()
    if text and "://" not in text:
        text = "http://" + text
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ModelError(f"The model server endpoint {endpoint!r} is not an http:// or https:// "
                         "address.")
    path = url.path.rstrip("/")
    for suffix in ("/chat/completions", "/v1"):
        path = path.removesuffix(suffix)
    return str(url.copy_with(path=path or "/", query=None, fragment=None)).rstrip("/")


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this computer: ``localhost``, 127.0.0.0/8 or ::1."""
    if host.lower().rstrip(".") in ("localhost", "localhost.localdomain") or \
            host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_key_transport(root: str, allow_plain_http: bool) -> None:
    """Refuse to send an API key where anyone on the network could read it: over plain http to
    another computer, unless the user has allowed that."""
    url = httpx.URL(root)
    if url.scheme == "https" or is_loopback(url.host) or allow_plain_http:
        return
    raise ModelError(
        f"Reader will not send the API key to {root} over plain http: anyone on the network "
        "could read it. Use an https:// address, or allow it in Settings → Model."
    )
