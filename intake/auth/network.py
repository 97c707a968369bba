"""The client's address, behind as many reverse proxies as ``TRUSTED_PROXIES`` says.

With ``TRUSTED_PROXIES = 0`` (the default) ``X-Forwarded-For`` is ignored, so nobody can choose
their own address; with N, werkzeug's ProxyFix takes the N-th entry from the right, the one the
closest trusted proxy saw. Rate limits, lockouts and audit rows all read ``request.remote_addr``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class TrustedProxies:
    """WSGI middleware reading ``TRUSTED_PROXIES`` from the app's config on each request."""

    def __init__(self, app: Flask, wsgi_app: WSGIApplication) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self._fixes: dict[int, ProxyFix] = {}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        hops = int(self.app.config.get("TRUSTED_PROXIES") or 0)
        if hops <= 0:
            return self.wsgi_app(environ, start_response)
        fix = self._fixes.get(hops)
        if fix is None:
            fix = self._fixes[hops] = ProxyFix(
                self.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
            )
        return fix(environ, start_response)


def trust_proxies(app: Flask) -> None:
    """Install the middleware (it does nothing while ``TRUSTED_PROXIES`` is 0)."""
    app.wsgi_app = TrustedProxies(app, app.wsgi_app)  # type: ignore[method-assign]


def client_address() -> str:
    return request.remote_addr or "unknown"


def address_key(address: str) -> str:
    """The unit failures are counted in: one IPv4 address, or one IPv6 /64 (one subscriber)."""
    try:
        parsed: Any = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
