"""The client's address behind the reverse proxies named in `TRUSTED_PROXIES`.

`X-Forwarded-For` is believed only when the connection comes from a trusted proxy, and then
only as far back as the chain of trusted proxies goes: the client's address is the right-most
entry that is not itself a trusted proxy. Anything a client writes into the header before the
proxy appends the real address lies to the left of it and is ignored. Without trusted proxies
the header is ignored altogether.

`TrustedProxyMiddleware` puts that address into `REMOTE_ADDR` first thing, so every reader
downstream — DRF's throttles (`NUM_PROXIES = 0`), django-axes (`AXES_CLIENT_IP_CALLABLE`),
the password-reset and sign-up limits — counts the same client.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _address(value: str):
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [::1]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in net for net in networks)


def resolve_client_ip(remote_addr: str, forwarded_for: str) -> str:
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not forwarded_for or not _trusted(_address(remote_addr or ""), networks):
        return remote_addr
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:  # garbage from the left of the chain: nothing further is believable
            break
        if not _trusted(address, networks):
            return str(address)
        remote_addr = str(address)
    # Every hop was a trusted proxy (or garbage followed one): the left-most trusted address.
    return remote_addr


def client_ip(request) -> str:
    """The client's address of a request (AXES_CLIENT_IP_CALLABLE). Idempotent: after the
    middleware, `REMOTE_ADDR` already holds it and is not a trusted proxy."""
    meta = request.META
    return resolve_client_ip(meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR", ""))


def client_address(request) -> str | None:
    """The one way code reads who sent a request: the client's address that
    `TrustedProxyMiddleware` put into `REMOTE_ADDR` (behind trusted proxies, the client's own),
    or None when the server gave no usable address."""
    address = _address(request.META.get("REMOTE_ADDR") or "")
    return str(address) if address is not None else None


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        if meta.get("HTTP_X_FORWARDED_FOR"):
            meta["REMOTE_ADDR"] = client_ip(request)
        return self.get_response(request)
