"""Accounts and login sessions. Passwords are Argon2 hashes; session tokens are stored hashed."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, or_, select

from market.accounts import codes as code_service
from market.accounts import logins
from market.accounts.schemas import Registration, Signup
from market.accounts.throttle import CodeTries
from market.errors import N_, Conflict, NotAllowed, Unauthenticated
from market.events.service import event_record
from market.models import (
    EmployerProfile,
    Role,
    User,
    UserSession,
    WeeklyAvailability,
    WorkerProfile,
)
from market.settings import get_settings
from market.types import utcnow

_hasher = PasswordHasher()
# verified against when the phone is unknown, so a miss costs as much as a wrong password
_DUMMY_HASH = _hasher.hash("linggong-dummy-password")
DEFAULT_WEEKLY = [(day, 7 * 60, 19 * 60) for day in range(7)]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(user: User, password: str) -> bool:
    """Whether `password` is the user's (Argon2, constant work either way)."""
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return logins.token_hash(token)


def user_register(*, session: Session, data: Registration) -> User:
    """Create a worker or employer account with an empty profile."""
    return _user_create(
        session=session,
        phone=data.phone,
        password=data.password,
        name=data.name,
        role=Role(data.role),
        org_name=data.org_name,
    )


def user_signup(
    *, session: Session, data: Signup, tries: CodeTries | None = None, locale: str | None = None
) -> User:
    """Sign up with the code sent to the phone: only its holder gets past the code.

    The code is checked first, so whether the phone is registered is told only to someone
    who holds it. `locale`: the language the sign-up was made in, kept for the user's texts
    and pushes (an unknown one leaves the default).
    """
    code_service.code_consume(
        session=session,
        phone=data.phone,
        purpose=code_service.Purpose.signup,
        code=data.code,
        tries=tries,
    )
    if session.exec(select(User.id).where(User.phone == data.phone)).first() is not None:
        raise Conflict(
            N_("This phone number already has an account; log in, or reset the password"),
            field="phone",
        )
    user = user_register(session=session, data=Registration(**data.model_dump(exclude={"code"})))
    if locale is not None:
        locale_set(session=session, user=user, locale=locale)
    return user


def staff_create(*, session: Session, phone: str, password: str, name: str) -> User:
    """Create a union staff account (command line only)."""
    return _user_create(session=session, phone=phone, password=password, name=name, role=Role.staff)


def account_create(*, session: Session, phone: str, password: str, name: str, role: Role) -> User:
    """Create an account of any role with an empty profile (workers get the default hours)."""
    return _user_create(session=session, phone=phone, password=password, name=name, role=role)


def _user_create(
    *, session: Session, phone: str, password: str, name: str, role: Role, org_name: str = ""
) -> User:
    if session.exec(select(User.id).where(User.phone == phone)).first() is not None:
        raise Conflict(N_("This phone number is already registered; log in instead"), field="phone")
    user = User(phone=phone, password_hash=hash_password(password), name=name, role=role)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent sign-up with the same number won the race
        raise Conflict(N_("This phone number is already registered; log in instead")) from exc
    assert user.id is not None
    if role is Role.worker:
        session.add(WorkerProfile(user_id=user.id))
        session.flush()  # no ORM relationships: the profile row must exist before its children
        session.add_all(
            WeeklyAvailability(worker_id=user.id, weekday=d, start_minute=s, end_minute=e)
            for d, s, e in DEFAULT_WEEKLY
        )
    elif role is Role.employer:
        session.add(EmployerProfile(user_id=user.id, org_name=org_name or name))
    event_record(session=session, kind="user.registered", payload={"role": role.value})
    session.flush()
    return user


def user_authenticate(*, session: Session, phone: str, password: str) -> User:
    """The active user with this phone and password, or Unauthenticated."""
    user = session.exec(select(User).where(User.phone == phone)).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None:
        raise Unauthenticated(N_("Wrong phone number or password"))
    if not user.is_active:  # only suspension: a deleted account's password matches nothing
        raise NotAllowed(
            N_("This account is suspended by the union. Please contact a union service station.")
        )
    return user


def session_create(
    *, session: Session, user: User, user_agent: str = ""
) -> tuple[str, UserSession]:
    """A new login session; returns the token to hand to the client, once."""
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    row = UserSession(
        token_hash=_token_hash(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(24),
        user_agent=user_agent[:200],
    )
    session.add(row)
    session.flush()
    return token, row


def get_session_user(
    *, session: Session, token: str, now: datetime | None = None, touch: bool = True
) -> tuple[User, UserSession] | None:
    """The user behind a session token, unless it expired (idle or absolute timeout).

    `touch=False` for read-only transactions: the idle clock is then moved by the next write.
    """
    return get_session_user_by_hash(
        session=session, token_hash=_token_hash(token), now=now, touch=touch
    )


def get_session_user_by_hash(
    *, session: Session, token_hash: str, now: datetime | None = None, touch: bool = True
) -> tuple[User, UserSession] | None:
    """As `get_session_user`, for a session named by its stored hash (a websocket ticket's)."""
    now = now or utcnow()
    # one round trip for both rows: every authenticated request asks this first
    found = session.exec(
        select(UserSession, User)
        .join(User, col(User.id) == col(UserSession.user_id))
        .where(UserSession.token_hash == token_hash)
    ).first()
    if found is None:
        return None
    row, user = found
    if logins.expired(row, now):
        if touch:
            session.delete(row)
        return None
    if not user.is_active:
        return None
    if touch and now - row.last_seen_at > timedelta(minutes=5):
        row.last_seen_at = now
    return user, row


def session_revoke_token(*, session: Session, token: str) -> None:
    """Log out whatever session this token names (a login replaces the one it came with)."""
    session_revoke(session=session, token_hash=_token_hash(token))


def session_revoke(*, session: Session, token_hash: str) -> None:
    """Log out: the session's token stops working at once."""
    row = session.get(UserSession, token_hash)
    if row is None:
        return
    session.delete(row)
    logins.ended(session=session, user_id=row.user_id)  # forgets the user's logins here too


PURGE_BATCH = 5_000


def sessions_purge(
    *, session: Session, now: datetime | None = None, batch_size: int = PURGE_BATCH
) -> int:
    """Delete the sessions past their idle or absolute limit, in batches; returns how many.

    The limits are those `get_session_user` applies, so a purged session was refused anyway.
    """
    now = now or utcnow()
    settings = get_settings()
    expired = or_(
        col(UserSession.last_seen_at) < now - timedelta(minutes=settings.session_idle_minutes),
        col(UserSession.created_at) < now - timedelta(days=settings.session_absolute_days),
    )
    purged = 0
    while True:
        batch = select(UserSession.token_hash).where(expired).limit(batch_size)
        result = session.exec(delete(UserSession).where(col(UserSession.token_hash).in_(batch)))
        deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
        purged += deleted
        if deleted < batch_size:
            return purged


LOCALES = ("zh_CN", "en")  # the languages of the interface, of texts and of pushes


def locale_set(*, session: Session, user: User, locale: str) -> bool:
    """Keep the language a user switched to, for what reaches them off the page (texts,
    pushes); an unknown language changes nothing. Whether it changed."""
    if locale not in LOCALES or user.locale == locale:
        return False
    user.locale = locale
    session.add(user)
    session.flush()
    return True
