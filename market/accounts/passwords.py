"""Passwords changed and reset, and the user's own login sessions (devices, log out everywhere).

A change (the old password given) and a reset (a code sent to the phone) both end every
other session of the user: whoever got in with the old password is out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from market.accounts import codes as code_service
from market.accounts import logins
from market.accounts import service as account_service
from market.accounts.devices import device_of
from market.accounts.schemas import PasswordChange, PasswordReset
from market.accounts.throttle import CodeTries
from market.errors import N_, Invalid
from market.events.service import event_record
from market.models import User, UserSession
from market.notifications import sms as sms_service
from market.notifications.aliyun import SmsFailed
from market.settings import get_settings
from market.types import utcnow

log = logging.getLogger("linggong.accounts")


def _end_sessions(session: Session, user: User, keep: str | None) -> int:
    query = delete(UserSession).where(col(UserSession.user_id) == user.id)
    if keep is not None:
        query = query.where(col(UserSession.token_hash) != keep)
    ended = int(session.exec(query).rowcount or 0)  # type: ignore[attr-defined]
    logins.ended(session=session, user_id=user.id or 0)  # the kept one is read again
    return ended


def account_text(
    *, session: Session, user: User, phone: str, template: str, params: dict[str, str]
) -> None:
    """Tell `phone` what happened to `user`'s account; a failed text does not undo it."""
    provider = sms_service.sms_provider(session=session)
    try:
        provider.send(phone, template, params)
    except SmsFailed as error:  # the change stands; only the courtesy text is lost
        log.warning("%s text to user %s not sent: %s", template, user.id, error)


def _tell(session: Session, user: User) -> None:
    account_text(
        session=session, user=user, phone=user.phone, template="password_changed", params={}
    )


def password_change(
    *, session: Session, user: User, current: UserSession, data: PasswordChange
) -> int:
    """Set a new password, the old one given; every other session ends. Returns how many."""
    if not account_service.password_matches(user, data.old_password):
        raise Invalid(N_("The current password is wrong"), field="old_password")
    user.password_hash = account_service.hash_password(data.new_password)
    session.add(user)
    ended = _end_sessions(session, user, keep=current.token_hash)
    _tell(session, user)
    session.flush()
    return ended


def password_reset(
    *, session: Session, data: PasswordReset, tries: CodeTries | None = None
) -> User:
    """Set a new password with the code sent to the phone; every session of the user ends."""
    code_service.code_consume(
        session=session,
        phone=data.phone,
        purpose=code_service.Purpose.reset,
        code=data.code,
        tries=tries,
    )
    user = session.exec(select(User).where(User.phone == data.phone)).first()
    if user is None:  # no code is ever sent to an unknown phone: a guess got lucky
        raise Invalid(N_("No code is waiting for this number; ask for a new code"), field="code")
    user.password_hash = account_service.hash_password(data.password)
    session.add(user)
    _end_sessions(session, user, keep=None)
    _tell(session, user)
    session.flush()
    return user


@dataclass(frozen=True)
class SessionView:
    device: str  # "Chrome · Android", or "" when the browser did not say
    created_at: datetime
    last_seen_at: datetime
    current: bool


def list_sessions(
    *, session: Session, user: User, current: UserSession, now: datetime | None = None
) -> list[SessionView]:
    """The user's live sessions, this one first, then the most recently seen."""
    now = now or utcnow()
    settings = get_settings()
    rows = session.exec(
        select(UserSession).where(
            UserSession.user_id == user.id,
            col(UserSession.last_seen_at) > now - timedelta(minutes=settings.session_idle_minutes),
            col(UserSession.created_at) > now - timedelta(days=settings.session_absolute_days),
        )
    ).all()
    views = [
        SessionView(
            device=device_of(row.user_agent),
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            current=row.token_hash == current.token_hash,
        )
        for row in rows
    ]
    return sorted(views, key=lambda v: (not v.current, -v.last_seen_at.timestamp()))


def sessions_end_others(*, session: Session, user: User, current: UserSession) -> int:
    """Log out everywhere else: every session of the user but this one ends. Returns how many."""
    return _end_sessions(session, user, keep=current.token_hash)


def password_reset_at_station(
    *, session: Session, staff: User, worker: User, station_id: int, password: str
) -> int:
    """A station sets a new password for a worker it registered, the ID card seen in person.

    Every session of the worker ends, the worker is texted, and the event log keeps who did
    it at which station. The caller has checked that the station registered the worker.
    Returns how many sessions ended.
    """
    worker.password_hash = account_service.hash_password(password)
    session.add(worker)
    ended = _end_sessions(session, worker, keep=None)
    event_record(
        session=session,
        kind="password.station_reset",
        worker_id=worker.id,
        payload={"worker": worker.id, "station": station_id, "by": staff.id, "id_checked": True},
    )
    _tell(session, worker)
    session.flush()
    return ended
