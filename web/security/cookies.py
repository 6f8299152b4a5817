"""The session cookie: `__Host-` prefixed and Secure over HTTPS, plain over local http.

Whether a request came over HTTPS is the scheme uvicorn put in the scope: behind the proxy
it takes X-Forwarded-Proto only from `forwarded_allow_ips`, so a client cannot claim it.
Over HTTPS only the prefixed cookie is read: a plain one could have been planted by a
neighbouring host or a plain-http response.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

SESSION_COOKIE = "lg_session"
SECURE_PREFIX = "__Host-"
SESSION_MAX_AGE = 30 * 24 * 3600


def is_secure(connection: HTTPConnection) -> bool:
    return connection.url.scheme in ("https", "wss")


def cookie_name(connection: HTTPConnection, base: str = SESSION_COOKIE) -> str:
    """`base`, or `__Host-base` when the connection is HTTPS."""
    return SECURE_PREFIX + base if is_secure(connection) else base


def read_cookie(connection: HTTPConnection, base: str = SESSION_COOKIE) -> str | None:
    return connection.cookies.get(cookie_name(connection, base))


def set_cookie(
    connection: HTTPConnection,
    response: Response,
    value: str,
    *,
    base: str = SESSION_COOKIE,
    max_age: int | None = SESSION_MAX_AGE,
    samesite: str = "lax",
) -> None:
    """HttpOnly, path=/, no Domain; Secure (and prefixed) over HTTPS."""
    response.set_cookie(
        cookie_name(connection, base),
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite=samesite,  # type: ignore[arg-type]
        secure=is_secure(connection),
    )


def clear_cookie(
    connection: HTTPConnection, response: Response, base: str = SESSION_COOKIE
) -> None:
    response.delete_cookie(
        cookie_name(connection, base),
        path="/",
        secure=is_secure(connection),
        httponly=True,
        samesite="lax",
    )
