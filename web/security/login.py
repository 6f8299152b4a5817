"""Throttled login, the one path the API and the login page both take."""

from __future__ import annotations

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from market.accounts import service as account_service
from market.accounts import throttle as throttle_service
from market.accounts.schemas import Credentials
from market.errors import NotAllowed
from market.models import User
from web.security.cookies import read_cookie, set_cookie


def start_session(
    *, request: Request, response: Response, session: Session, user: User
) -> tuple[str, str]:
    """A new session for `user`, set as the cookie; returns its token and CSRF token.

    The session the browser came with (if any) ends here: an identifier planted before
    login never becomes a logged-in one, and an old cookie is never two sessions.
    """
    previous = read_cookie(request)
    if previous:
        account_service.session_revoke_token(session=session, token=previous)
    token, row = account_service.session_create(
        session=session, user=user, user_agent=request.headers.get("user-agent", "")
    )
    set_cookie(request, response, token)
    return token, row.csrf_token


def client_address(request: Request) -> str:
    """The client's address as uvicorn derived it.

    Behind the proxy uvicorn takes X-Forwarded-For only from a peer in
    `forwarded_allow_ips` (and nginx overwrites that header), so a client cannot choose it.
    """
    return request.client.host if request.client else "unknown"


def login_guard(request: Request) -> throttle_service.LoginGuard:
    guard: throttle_service.LoginGuard = request.app.state.login_guard
    return guard


def throttled_authenticate(*, request: Request, session: Session, data: Credentials) -> User:
    """The user for these credentials; failures count, and too many are refused (429)."""
    guard = login_guard(request)
    address = client_address(request)
    guard.attempt(phone=data.phone, address=address)  # counted before the password is tried
    try:
        user = account_service.user_authenticate(
            session=session, phone=data.phone, password=data.password
        )
    except NotAllowed:  # a suspended account's right password: not a guess
        guard.succeeded(phone=data.phone, address=address)
        raise
    guard.succeeded(phone=data.phone, address=address)
    return user


def code_tries(request: Request) -> throttle_service.CodeTries:
    """The app's count of tries at one-time codes (Redis when configured)."""
    tries: throttle_service.CodeTries = request.app.state.code_tries
    return tries
