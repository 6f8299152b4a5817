"""One-time codes by text message: proof that whoever signs up, resets a password or moves the
account to a new number holds the phone.

A code is 6 digits, good for 10 minutes and for one use; only the newest code of a phone
and purpose counts, so asking again replaces the last one. Five wrong tries end a code. A
phone gets at most `phone_codes_per_hour` codes an hour (counted here, in the database,
whatever address asked); the per-address limit is the web's rate limiter.

Asking for a code answers the same whether or not the phone is registered: at sign-up a
registered phone gets its code too (whoever holds it learns, and only they, that the number
has an account); at reset an unregistered phone gets none, and nothing says so; a phone
change texts the new number whether or not it is registered (market/accounts/phone.py).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial

from sqlmodel import Session, col, delete, func, select, update

from market.accounts.models import PhoneCode, User
from market.accounts.throttle import CodeTries
from market.errors import N_, Conflict, DomainError, Invalid, TooManyRequests
from market.notifications import sms as sms_service
from market.notifications.aliyun import SmsFailed
from market.settings import get_settings
from market.types import utcnow

log = logging.getLogger("linggong.accounts")

CODE_TTL = timedelta(minutes=10)
MAX_TRIES = 5
WINDOW = timedelta(hours=1)


class Purpose(StrEnum):
    signup = "signup"
    reset = "reset"
    phone = "phone"  # a logged-in user moving the account to this (new) number


class CodeSpent(DomainError):
    """Too many wrong codes: this code is finished, a new one must be asked for (429)."""

    def __init__(self) -> None:
        super().__init__(N_("Too many wrong codes; ask for a new code"), field="code")


def _mac(*parts: str) -> str:
    secret = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(secret, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def phone_key(phone: str) -> str:
    """The phone as the code table keeps it: an HMAC under the secret key."""
    return _mac("phone", phone)


def _code_hash(purpose: Purpose, phone: str, code: str) -> str:
    return _mac("code", purpose.value, phone, code)


def _is_registered(session: Session, phone: str) -> bool:
    return session.exec(select(User.id).where(User.phone == phone)).first() is not None


def code_request(
    *,
    session: Session,
    phone: str,
    purpose: Purpose,
    tries: CodeTries | None = None,
    now: datetime | None = None,
) -> int:
    """Send a new code for `purpose` to `phone`; returns how many seconds it stays good.

    Over the phone's hourly limit: TooManyRequests, for registered and unknown phones alike.
    """
    now = now or utcnow()
    key = phone_key(phone)
    sent, oldest = session.exec(
        select(func.count(), func.min(PhoneCode.created_at)).where(
            PhoneCode.phone_key == key, col(PhoneCode.created_at) > now - WINDOW
        )
    ).one()
    if sent >= get_settings().phone_codes_per_hour and oldest is not None:
        raise TooManyRequests(max(1, math.ceil((oldest + WINDOW - now).total_seconds())))
    code = f"{secrets.randbelow(10**6):06d}"
    session.add(
        PhoneCode(
            purpose=purpose.value,
            phone_key=key,
            code_hash=_code_hash(purpose, phone, code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
    )
    session.flush()
    if purpose is not Purpose.reset or _is_registered(session, phone):
        minutes = int(CODE_TTL.total_seconds() // 60)
        provider = sms_service.sms_provider(session=session)
        try:
            provider.send(phone, "verify_code", {"code": code, "minutes": minutes})
        except SmsFailed as error:  # the gateway refused or is down: nothing is kept
            log.warning("code to %s**** not sent: %s", phone[:3], error)
            raise Conflict(
                N_("The text message could not be sent; try again in a few minutes"),
                field="phone",
            ) from error
    if tries is not None:
        tries.restart(phone=phone, purpose=purpose.value)
    return int(CODE_TTL.total_seconds())


def _count_try(session: Session, *, code_id: int) -> None:
    """A wrong code's try, kept although the request that made it is rolled back."""
    session.exec(
        update(PhoneCode)
        .where(col(PhoneCode.id) == code_id)
        .values(attempts=PhoneCode.attempts + 1)  # type: ignore[arg-type]
    )


def code_consume(
    *,
    session: Session,
    phone: str,
    purpose: Purpose,
    code: str,
    tries: CodeTries | None = None,
    now: datetime | None = None,
) -> None:
    """Accept `code` for `phone` and `purpose`, once; refuse it saying what to do next.

    A wrong code counts a try on the newest code, kept even though the request is refused;
    `tries` (the app's) also counts each try before the comparison, so parallel guesses
    cannot all be compared before any was counted.
    """
    now = now or utcnow()
    row = session.exec(
        select(PhoneCode)
        .where(PhoneCode.phone_key == phone_key(phone), PhoneCode.purpose == purpose.value)
        .order_by(col(PhoneCode.id).desc())
        .limit(1)
    ).first()
    if row is None or row.used_at is not None:
        raise Invalid(N_("No code is waiting for this number; ask for a new code"), field="code")
    assert row.id is not None
    if row.expires_at <= now:
        raise Invalid(N_("This code has expired; ask for a new code"), field="code")
    if row.attempts >= MAX_TRIES:
        raise CodeSpent()
    if tries is not None and not tries.attempt(phone=phone, purpose=purpose.value):
        raise CodeSpent()
    if not hmac.compare_digest(row.code_hash, _code_hash(purpose, phone, code)):
        left = MAX_TRIES - row.attempts - 1
        trace = partial(_count_try, code_id=row.id)
        if left <= 0:
            raise Invalid(
                N_("Wrong code, and that was the last try; ask for a new code"),
                field="code",
                trace=trace,
            )
        raise Invalid(N_("Wrong code; {left} tries left"), field="code", left=left, trace=trace)
    used = session.exec(
        update(PhoneCode)
        .where(col(PhoneCode.id) == row.id, col(PhoneCode.used_at).is_(None))
        .values(used_at=now)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]  # a simultaneous use won
        raise Invalid(N_("No code is waiting for this number; ask for a new code"), field="code")


def codes_purge(*, session: Session, now: datetime | None = None) -> int:
    """Delete codes older than the counting window: expired, and no longer counted."""
    now = now or utcnow()
    # the window is longer than a code's life: a purged code was dead and no longer counted
    result = session.exec(delete(PhoneCode).where(col(PhoneCode.created_at) < now - WINDOW))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
