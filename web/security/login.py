"""Throttled login, the one path the API and the login page both take."""

from __future__ import annotations

from sqlmodel import Session
from starlette.requests import Request

from market import accounts as account_service
from market import throttle as throttle_service
from market.errors import Unauthenticated
from market.models import User
from market.schemas import Credentials


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
    guard.check(phone=data.phone, address=address)
    try:
        user = account_service.user_authenticate(
            session=session, phone=data.phone, password=data.password
        )
    except Unauthenticated:
        guard.failed(phone=data.phone, address=address)
        raise
    guard.succeeded(phone=data.phone)
    return user
