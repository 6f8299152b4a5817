"""Security headers on every HTTP answer: pages, API, static files and errors alike.

A pure ASGI middleware: it adds headers to `http.response.start` and leaves websockets
and the body (so the gzip middleware) alone.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# FastAPI's /docs and /redoc load Swagger UI / ReDoc from a CDN with an inline script
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
DOCS_CDN = "https://cdn.jsdelivr.net"
HSTS = "max-age=31536000"


def tile_source(tile_url: str) -> str | None:
    """The CSP host source of a map tile URL template; a `{s}` label becomes a wildcard.

    `https://webrd0{s}.is.autonavi.com/appmaptile?x={x}` -> `https://*.is.autonavi.com`
    (CSP allows `*` only as a host's leftmost label, so it replaces every label up to the
    last one holding a placeholder).
    """
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host, _, port = parts.netloc.rpartition("@")[2].partition(":")
    labels = host.split(".")
    templated = [i for i, label in enumerate(labels) if "{" in label]
    if templated:
        labels = ["*", *labels[templated[-1] + 1 :]]
        if len(labels) < 3:  # never "*.com": that would be any site
            return None
    source = f"{parts.scheme}://{'.'.join(labels)}"
    return f"{source}:{port}" if port else source


def content_security_policy(tile_url: str) -> str:
    """The site's policy: its own scripts only, map tiles from the configured host."""
    tiles = tile_source(tile_url)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        # style attributes in a few templates (column widths, the evidence sheet's <style>)
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data:" + (f" {tiles}" if tiles else ""),
        # CSP3: 'self' also matches ws:/wss: to the same host and port (live updates)
        "connect-src": "'self'",
        "object-src": "'none'",
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


DOCS_POLICY = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {DOCS_CDN}; "
    f"style-src 'self' 'unsafe-inline' {DOCS_CDN}; img-src 'self' data: https:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class SecurityHeaders:
    """Pure ASGI middleware: CSP, nosniff, referrer policy, and HSTS over HTTPS."""

    def __init__(self, app: ASGIApp, *, tile_url: str) -> None:
        self.app = app
        self.policy = content_security_policy(tile_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"] in DOCS_PATHS else self.policy
        # uvicorn sets the scheme from the trusted proxy's X-Forwarded-Proto
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", policy)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
