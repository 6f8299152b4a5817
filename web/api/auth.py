"""Sign-up, login and logout."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from market.accounts import service as account_service
from market.accounts.schemas import Credentials, Registration
from web.deps import CurrentLogin, CurrentUser, SessionDep
from web.schemas import AuthOut, UserOut, user_out
from web.security.cookies import clear_cookie
from web.security.login import start_session, throttled_authenticate

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/register", status_code=status.HTTP_201_CREATED)
def register(
    data: Registration, request: Request, response: Response, session: SessionDep
) -> AuthOut:
    """Create a worker or employer account and log in."""
    user = account_service.user_register(session=session, data=data)
    token, csrf = start_session(request=request, response=response, session=session, user=user)
    return AuthOut(user=user_out(user), token=token, csrf_token=csrf)


@router.post("/login")
def login(data: Credentials, request: Request, response: Response, session: SessionDep) -> AuthOut:
    """Log in with phone number and password (too many failures: 429 with Retry-After)."""
    user = throttled_authenticate(request=request, session=session, data=data)
    token, csrf = start_session(request=request, response=response, session=session, user=user)
    return AuthOut(user=user_out(user), token=token, csrf_token=csrf)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, response: Response, login: CurrentLogin, session: SessionDep) -> None:
    """End this session."""
    account_service.session_revoke(session=session, token_hash=login[1].token_hash)
    clear_cookie(request, response)


@router.get("/me")
def me(user: CurrentUser) -> UserOut:
    """Who is logged in."""
    return user_out(user)
