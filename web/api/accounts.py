"""Accounts: sign-up, login and logout; my own data, to download or to delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from market.accounts import privacy as privacy_service
from market.accounts import service as account_service
from market.accounts.schemas import Credentials, Registration
from web.api.schemas.accounts import AuthOut, TicketOut, UserOut, user_out
from web.deps import CurrentLogin, CurrentUser, SessionDep
from web.live.tickets import Tickets
from web.security.cookies import clear_cookie
from web.security.login import start_session, throttled_authenticate
from web.security.rate_limits import SignupLimit

router = APIRouter()
auth = APIRouter(prefix="/auth", tags=["auth"])
privacy = APIRouter(prefix="/me", tags=["privacy"])
# a single-use ticket for a non-browser client's `/ws?ticket=` (never a token in a URL)
live = APIRouter(prefix="/live", tags=["live"])


@auth.post("/register", status_code=status.HTTP_201_CREATED)
def register(
    data: Registration,
    request: Request,
    response: Response,
    session: SessionDep,
    _limit: SignupLimit,
) -> AuthOut:
    """Create a worker or employer account and log in."""
    user = account_service.user_register(session=session, data=data)
    token, csrf = start_session(request=request, response=response, session=session, user=user)
    return AuthOut(user=user_out(user), token=token, csrf_token=csrf)


@auth.post("/login")
def login(data: Credentials, request: Request, response: Response, session: SessionDep) -> AuthOut:
    """Log in with phone number and password (too many failures: 429 with Retry-After)."""
    user = throttled_authenticate(request=request, session=session, data=data)
    token, csrf = start_session(request=request, response=response, session=session, user=user)
    return AuthOut(user=user_out(user), token=token, csrf_token=csrf)


@auth.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, response: Response, login: CurrentLogin, session: SessionDep) -> None:
    """End this session."""
    account_service.session_revoke(session=session, token_hash=login[1].token_hash)
    clear_cookie(request, response)


@auth.get("/me")
def me(user: CurrentUser) -> UserOut:
    """Who is logged in."""
    return user_out(user)


@privacy.get("/export")
def export(user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """Everything the market keeps about me, as JSON."""
    return privacy_service.export_user_data(session=session, user=user)


@privacy.delete("", status_code=status.HTTP_204_NO_CONTENT)
def delete_account(
    request: Request, response: Response, user: CurrentUser, session: SessionDep
) -> None:
    """Delete my account: my personal details are erased; confirmed work must be cancelled first."""
    privacy_service.account_delete(session=session, user=user)
    clear_cookie(request, response)


router.include_router(auth)
router.include_router(privacy)


@live.post("/ticket")
def ticket(request: Request, login: CurrentLogin) -> TicketOut:
    """A ticket for `/ws?ticket=`: good once, for `expires_in` seconds, as this session."""
    user, session = login
    assert user.id is not None
    tickets: Tickets = request.app.state.live_tickets
    issued = tickets.issue(user_id=user.id, session_hash=session.token_hash)
    return TicketOut(ticket=issued, expires_in=tickets.ttl)


router.include_router(live)
