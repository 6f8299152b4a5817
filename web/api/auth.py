"""Sign-up, login and logout."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from market import accounts as account_service
from market.schemas import Credentials, Registration
from web.deps import SESSION_COOKIE, CurrentLogin, CurrentUser, SessionDep
from web.schemas import AuthOut, UserOut, user_out

router = APIRouter(prefix="/auth", tags=["auth"])


def _set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=30 * 24 * 3600,
        path="/",
    )


@router.post("/register", status_code=status.HTTP_201_CREATED)
def register(
    data: Registration, request: Request, response: Response, session: SessionDep
) -> AuthOut:
    """Create a worker or employer account and log in."""
    user = account_service.user_register(session=session, data=data)
    token, login = account_service.session_create(session=session, user=user)
    _set_cookie(request, response, token)
    return AuthOut(user=user_out(user), token=token, csrf_token=login.csrf_token)


@router.post("/login")
def login(data: Credentials, request: Request, response: Response, session: SessionDep) -> AuthOut:
    """Log in with phone number and password."""
    user = account_service.user_authenticate(
        session=session, phone=data.phone, password=data.password
    )
    token, login = account_service.session_create(session=session, user=user)
    _set_cookie(request, response, token)
    return AuthOut(user=user_out(user), token=token, csrf_token=login.csrf_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, response: Response, login: CurrentLogin, session: SessionDep) -> None:
    """End this session."""
    account_service.session_revoke(session=session, token_hash=login[1].token_hash)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me")
def me(user: CurrentUser) -> UserOut:
    """Who is logged in."""
    return user_out(user)
