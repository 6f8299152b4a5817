"""Moving an account to a new phone number, proven by a code texted to the new number.

Asking for the code never tells whether the new number has an account: the code is texted
to the number either way and the answer is the same. Only the last step, which needs that
code (so only whoever holds the new number gets this far), refuses a number that is
already registered, with a message that names no account. The old number is told by text
message, and every other session of the user ends: whoever else was logged in is out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from market.accounts import codes as code_service
from market.accounts import passwords as password_service
from market.accounts import service as account_service
from market.accounts.schemas import PhoneChange
from market.accounts.throttle import CodeTries
from market.errors import N_, Conflict, Invalid
from market.events.service import event_record
from market.models import User, UserSession

# says nothing of whose the number is: only the number's holder, who has the code, reads it
TAKEN = N_("This number cannot be used for your account; choose another number")


def _not_the_same(user: User, phone: str) -> None:
    if phone == user.phone:
        raise Invalid(N_("This is already your phone number"), field="phone")


def phone_code_request(
    *,
    session: Session,
    user: User,
    phone: str,
    tries: CodeTries | None = None,
    now: datetime | None = None,
) -> int:
    """Text a code to the new `phone`; returns how many seconds it stays good."""
    _not_the_same(user, phone)
    return code_service.code_request(
        session=session, phone=phone, purpose=code_service.Purpose.phone, tries=tries, now=now
    )


def phone_change(
    *,
    session: Session,
    user: User,
    current: UserSession,
    data: PhoneChange,
    tries: CodeTries | None = None,
    now: datetime | None = None,
) -> User:
    """Move the account to `data.phone` with its code and the current password.

    Every other session ends and the old number gets a text saying so.
    """
    _not_the_same(user, data.phone)
    if not account_service.password_matches(user, data.password):
        raise Invalid(N_("The current password is wrong"), field="password")
    old = user.phone
    try:
        with session.begin_nested():  # a refusal here leaves the code and the account as they were
            code_service.code_consume(
                session=session,
                phone=data.phone,
                purpose=code_service.Purpose.phone,
                code=data.code,
                tries=tries,
                now=now,
            )
            if session.exec(select(User.id).where(User.phone == data.phone)).first() is not None:
                raise Conflict(TAKEN, field="phone")
            user.phone = data.phone
            session.add(user)
            session.flush()
    except IntegrityError as exc:  # a sign-up or another change to this number won the race
        raise Conflict(TAKEN, field="phone") from exc
    password_service.sessions_end_others(session=session, user=user, current=current)
    event_record(session=session, kind="user.phone_changed", payload={"role": user.role})
    password_service.account_text(
        session=session,
        user=user,
        phone=old,
        template="phone_changed",
        params={"tail": data.phone[-4:]},
    )
    return user
