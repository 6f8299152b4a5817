"""Accounts: codes by text message, sign-up, login and logout, passwords and my sessions; my
own data, to download or to delete; the text messages kept in development, for staff."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from market.accounts import codes as code_service
from market.accounts import passwords as password_service
from market.accounts import privacy as privacy_service
from market.accounts import service as account_service
from market.accounts.schemas import (
    CodeRequest,
    Credentials,
    PasswordChange,
    PasswordReset,
    Signup,
)
from market.errors import N_
from market.notify import sms as sms_service
from web.api import console_router
from web.api.schemas.accounts import (
    AuthOut,
    CodeSentOut,
    EndedOut,
    SessionOut,
    SmsOut,
    TicketOut,
    UserOut,
    user_out,
)
from web.deps import CurrentLogin, CurrentUser, LocaleDep, SessionDep
from web.i18n import translate
from web.live.tickets import Tickets
from web.security.cookies import clear_cookie
from web.security.login import code_tries, start_session, throttled_authenticate
from web.security.rate_limits import CodeLimit, PasswordChangeLimit, ResetLimit, SignupLimit

router = APIRouter()
auth = APIRouter(prefix="/auth", tags=["auth"])
privacy = APIRouter(prefix="/me", tags=["privacy"])
# a single-use ticket for a non-browser client's `/ws?ticket=` (never a token in a URL)
live = APIRouter(prefix="/live", tags=["live"])


CODE_SENT = N_("If the number can receive it, a code is on its way by text message")


@auth.post("/codes", status_code=status.HTTP_202_ACCEPTED)
def request_code(
    data: CodeRequest,
    request: Request,
    session: SessionDep,
    locale: LocaleDep,
    _limit: CodeLimit,
) -> CodeSentOut:
    """Text a 6-digit code to the phone, to sign up or to reset the password.

    The answer is the same whether or not the phone is registered.
    """
    expires_in = code_service.code_request(
        session=session,
        phone=data.phone,
        purpose=code_service.Purpose(data.purpose),
        tries=code_tries(request),
    )
    return CodeSentOut(detail=translate(locale, CODE_SENT), expires_in=expires_in)


@auth.post("/register", status_code=status.HTTP_201_CREATED)
def register(
    data: Signup,
    request: Request,
    response: Response,
    session: SessionDep,
    _limit: SignupLimit,
) -> AuthOut:
    """Create a worker or employer account with the code texted to the phone, and log in."""
    user = account_service.user_signup(session=session, data=data, tries=code_tries(request))
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


@auth.post("/password/reset", status_code=status.HTTP_204_NO_CONTENT)
def reset_password(
    data: PasswordReset, request: Request, session: SessionDep, _limit: ResetLimit
) -> None:
    """Set a new password with the code texted to the phone; every session of the account ends."""
    password_service.password_reset(session=session, data=data, tries=code_tries(request))


@auth.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(
    data: PasswordChange, login: CurrentLogin, session: SessionDep, _limit: PasswordChangeLimit
) -> None:
    """Change my password (the current one required); my other sessions end."""
    user, current = login
    password_service.password_change(session=session, user=user, current=current, data=data)


@auth.get("/sessions")
def my_sessions(login: CurrentLogin, session: SessionDep) -> list[SessionOut]:
    """Where I am logged in: each device and when it was last seen, this one first."""
    user, current = login
    views = password_service.list_sessions(session=session, user=user, current=current)
    return [SessionOut(**vars(view)) for view in views]


@auth.post("/sessions/logout-others")
def logout_others(login: CurrentLogin, session: SessionDep) -> EndedOut:
    """Log out everywhere else: every session of mine but this one ends."""
    user, current = login
    ended = password_service.sessions_end_others(session=session, user=user, current=current)
    return EndedOut(ended=ended)


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

console = console_router()


@console.get("/sms")
def sms_log(session: SessionDep) -> list[SmsOut]:
    """The newest text messages the `log` provider kept (development): codes included."""
    return [
        SmsOut(
            id=m.id or 0,
            phone=m.phone,
            template_id=m.template_id,
            body=m.body,
            created_at=m.created_at,
        )
        for m in sms_service.list_messages(session=session)
    ]


router.include_router(console)
