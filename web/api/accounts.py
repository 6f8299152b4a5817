"""Accounts: codes by text message, sign-up, login and logout, passwords, my phone number and
my sessions; an employer's licence photo; my own data, to download or to delete; my
notifications, the channels they come by, and the browsers that get them pushed; the text
messages kept in development, for staff."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Request, Response, UploadFile, status

from market.accounts import codes as code_service
from market.accounts import employers as employer_service
from market.accounts import passwords as password_service
from market.accounts import phone as phone_service
from market.accounts import privacy as privacy_service
from market.accounts import service as account_service
from market.accounts.schemas import (
    CodeRequest,
    Credentials,
    EmployerIdentityUpdate,
    PasswordChange,
    PasswordReset,
    PhoneChange,
    PhoneCodeRequest,
    Signup,
)
from market.errors import N_
from market.notifications import push as push_service
from market.notifications import service as notification_service
from market.notifications import sms as sms_service
from market.notifications.schemas import PreferenceUpdate, SubscriptionCreate, SubscriptionDelete
from market.paging import DEFAULT_LIMIT
from market.types import MAX_ID
from web.api import console_router
from web.api.schemas.accounts import (
    LICENCE_RESPONSES,
    AuthOut,
    CodeSentOut,
    EmployerProfileOut,
    EndedOut,
    LicenceOut,
    MarkedOut,
    NotificationOut,
    PreferenceOut,
    PushKeyOut,
    SessionOut,
    SmsOut,
    SubscriptionOut,
    TicketOut,
    UnreadOut,
    UserOut,
    employer_profile_out,
    licence_out,
    licence_response,
    notification_out,
    preference_out,
    user_out,
)
from web.deps import (
    AfterQuery,
    CurrentEmployer,
    CurrentLogin,
    CurrentUser,
    LimitQuery,
    LocaleDep,
    SessionDep,
    link_next,
)
from web.i18n import locale_of, translate
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
    user = account_service.user_signup(
        session=session, data=data, tries=code_tries(request), locale=locale_of(request)
    )
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


@auth.post("/phone/code", status_code=status.HTTP_202_ACCEPTED)
def request_phone_code(
    data: PhoneCodeRequest,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    locale: LocaleDep,
    _limit: CodeLimit,
) -> CodeSentOut:
    """Text a code to the number I want my account moved to.

    The answer is the same whether or not that number is registered.
    """
    expires_in = phone_service.phone_code_request(
        session=session, user=user, phone=data.phone, tries=code_tries(request)
    )
    return CodeSentOut(detail=translate(locale, CODE_SENT), expires_in=expires_in)


@auth.post("/phone")
def change_phone(
    data: PhoneChange,
    request: Request,
    login: CurrentLogin,
    session: SessionDep,
    _codes: ResetLimit,
    _passwords: PasswordChangeLimit,
) -> UserOut:
    """Move my account to the new number with the code texted to it and my current password;
    my other sessions end and the old number is told."""
    user, current = login
    changed = phone_service.phone_change(
        session=session, user=user, current=current, data=data, tries=code_tries(request)
    )
    return user_out(changed)


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


# ------------------------------------------------------------------ my notifications


def vapid_public_key(request: Request) -> str:
    """The server key's public half, worked out once per app."""
    state = request.app.state
    if getattr(state, "vapid_public_key", None) is None:
        state.vapid_public_key = push_service.server_public_key(state.settings)
    return str(state.vapid_public_key)


notes = APIRouter(prefix="/notifications", tags=["notifications"])
push = APIRouter(prefix="/push", tags=["notifications"])
NotificationId = Annotated[int, Path(ge=1, le=MAX_ID, description="Notification id")]


@notes.get("")
def notifications(
    request: Request,
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    after: AfterQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> list[NotificationOut]:
    """My notifications, newest first (keyset-paged: `Link: <...>; rel="next"`)."""
    page = notification_service.list_notifications(
        session=session, user_id=user.id or 0, after=after, limit=limit
    )
    link_next(request, response, page.next)
    return [notification_out(n, locale_of(request)) for n in page.items]


@notes.get("/unread-count")
def unread_count(user: CurrentUser, session: SessionDep) -> UnreadOut:
    """How many of my notifications are unread (the badge)."""
    return UnreadOut(
        unread=notification_service.count_unread(session=session, user_id=user.id or 0)
    )


@notes.post("/read-all")
def read_all(user: CurrentUser, session: SessionDep) -> MarkedOut:
    """Mark all my notifications read."""
    marked = notification_service.notifications_read_all(session=session, user_id=user.id or 0)
    return MarkedOut(marked=marked)


@notes.post("/{notification_id}/read")
def read(
    notification_id: NotificationId, request: Request, user: CurrentUser, session: SessionDep
) -> NotificationOut:
    """Mark one of my notifications read."""
    note = notification_service.notification_read(
        session=session, user_id=user.id or 0, notification_id=notification_id
    )
    return notification_out(note, locale_of(request))


@notes.get("/settings")
def preference(user: CurrentUser, session: SessionDep) -> PreferenceOut:
    """My channels (the inbox is always on) and quiet hours (local hours)."""
    return preference_out(
        notification_service.get_preference(session=session, user_id=user.id or 0)
    )


@notes.put("/settings")
def preference_set(data: PreferenceUpdate, user: CurrentUser, session: SessionDep) -> PreferenceOut:
    """Turn push on or off, set quiet hours (urgent messages still come through)."""
    return preference_out(
        notification_service.preference_update(session=session, user_id=user.id or 0, data=data)
    )


@push.get("/key")
def push_key(request: Request) -> PushKeyOut:
    """The server's VAPID public key, for `pushManager.subscribe({applicationServerKey})`."""
    return PushKeyOut(public_key=vapid_public_key(request))


@push.post("/subscriptions", status_code=status.HTTP_201_CREATED)
def subscribe(data: SubscriptionCreate, user: CurrentUser, session: SessionDep) -> SubscriptionOut:
    """Send my notifications to this browser (its `PushSubscription.toJSON()`)."""
    row = notification_service.subscription_save(session=session, user_id=user.id or 0, data=data)
    return SubscriptionOut(id=row.id or 0, endpoint=row.endpoint)


@push.delete("/subscriptions", status_code=status.HTTP_204_NO_CONTENT)
def unsubscribe(data: SubscriptionDelete, user: CurrentUser, session: SessionDep) -> None:
    """Stop sending my notifications to this browser."""
    notification_service.subscription_delete(
        session=session, user_id=user.id or 0, endpoint=data.endpoint
    )


router.include_router(notes)
router.include_router(push)


@router.get("/employer/profile", tags=["employer"])
def employer_profile(employer: CurrentEmployer, session: SessionDep) -> EmployerProfileOut:
    """Who I say I am (credit code or private person) and whether the union verified it."""
    profile = employer_service.get_employer_profile(session=session, employer_id=employer.id or 0)
    return employer_profile_out(profile)


@router.put("/employer/profile", tags=["employer"])
def employer_profile_set(
    data: EmployerIdentityUpdate, employer: CurrentEmployer, session: SessionDep
) -> EmployerProfileOut:
    """Give my 统一社会信用代码, or state that I hire as a private person (a change of
    what the union verified takes the badge away until staff look again)."""
    profile = employer_service.employer_identity_set(
        session=session,
        employer=employer,
        credit_code=data.credit_code,
        private_person=data.private_person,
    )
    return employer_profile_out(profile)


# the photo plus the multipart wrapping; web.app hands this to the body limiter for this path
LICENCE_UPLOAD_LIMIT = employer_service.MAX_LICENCE_BYTES + 64 * 1024


@router.put("/employer/licence", tags=["employer"])
def employer_licence_set(
    employer: CurrentEmployer,
    session: SessionDep,
    photo: Annotated[UploadFile, File(description="JPEG, PNG or WebP, at most 5 MB")],
) -> LicenceOut:
    """Send the photo of my business licence (营业执照); a new one takes the verified badge
    away until staff look again."""
    data = photo.file.read(employer_service.MAX_LICENCE_BYTES + 1)
    licence = employer_service.licence_set(session=session, employer=employer, data=data)
    return licence_out(licence)


@router.get(
    "/employer/licence", tags=["employer"], response_class=Response, responses=LICENCE_RESPONSES
)
def employer_licence(employer: CurrentEmployer, session: SessionDep) -> Response:
    """The photo of my business licence, as I sent it."""
    return licence_response(
        employer_service.get_licence(session=session, employer_id=employer.id or 0)
    )


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
