"""Login sessions read a moment ago, kept in this process for the feed.

The feed is the request day laborers make most, all at once at six in the morning, and its
login lookup was its only database read: a transaction, a round trip and two thread hops
per request. A feed request now takes its login from here when it was read from the
database under LOGIN_CACHE_SECONDS ago and is still within its limits; anything else (no
entry, an old one, a login past its idle or absolute limit, an inactive account) reads the
database as before. Only positive answers come from memory: a refusal is always the
database's.

What this promises. Whatever ends logins (a logout, a password change or reset, a
suspension, a deleted account) drops them from this process at once and records a
`logins.ended` event; every replica's feed read model drops the user's logins when the
event reaches it through the relay, as it drops a worker's cached entry on the worker's
events (well under a second when Redis is up, the outbox poll when it is not). A replica
whose read model lost its place rebuilds it, feeds meanwhile read the database, and the
rebuild forgets every login (`forget_all`). Only the feed (open jobs, for the worker's own
eyes) and a job's page (`GET /api/v1/jobs/{id}`: the job itself is read from the database,
so a change shows at once) read logins from here; every other request, and every write, asks
the database.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from market.events.service import event_record
from market.models import User, UserSession
from market.settings import get_settings

LOGIN_CACHE_SECONDS = 300.0  # a safety net, as the worker cache's: events drop entries first
LOGIN_CACHE_MAX = 100_000  # entries; all dropped at once when full (a reread costs a query)

_logins: dict[str, _Kept] = {}
_lock = threading.Lock()


def token_hash(token: str) -> str:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def expired(row: UserSession, now: datetime) -> bool:
    """Whether the login is past its idle or absolute limit."""
    settings = get_settings()
    return now - row.last_seen_at > timedelta(minutes=settings.session_idle_minutes) or (
        now - row.created_at > timedelta(days=settings.session_absolute_days)
    )


@dataclass(frozen=True, slots=True)
class _Kept:
    """What a remembered login keeps: the columns a feed reads, not the ORM rows (a pair of
    rows took 3.5 KB; this about a tenth). No phone number and no password hash."""

    at: float  # time.monotonic() when read
    user_id: int
    role: str
    name: str
    locale: str
    is_active: bool
    user_created_at: datetime
    token_hash: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime


def remembered(token: str, now: datetime) -> tuple[User, UserSession] | None:
    """The login behind `token` if read from the database under LOGIN_CACHE_SECONDS ago and
    still valid at `now`, as fresh rows in no session; None: ask the database."""
    kept = _logins.get(token_hash(token))
    if kept is None or time.monotonic() - kept.at >= LOGIN_CACHE_SECONDS:
        return None
    row = UserSession.model_construct(
        token_hash=kept.token_hash,
        user_id=kept.user_id,
        csrf_token=kept.csrf_token,
        created_at=kept.created_at,
        last_seen_at=kept.last_seen_at,
    )
    if not kept.is_active or expired(row, now):
        return None
    user = User.model_construct(
        id=kept.user_id,
        phone="",
        password_hash="",
        role=kept.role,
        name=kept.name,
        locale=kept.locale,
        is_active=kept.is_active,
        created_at=kept.user_created_at,
    )
    return user, row


def remember(user: User, row: UserSession) -> None:
    """Keep a login just read from the database (the columns, not the rows: a session's
    rollback would expire its rows, and rows weigh ten times more)."""
    kept = _Kept(
        time.monotonic(),
        user.id or 0,
        str(user.role),
        user.name,
        user.locale,
        user.is_active,
        user.created_at,
        row.token_hash,
        row.csrf_token,
        row.created_at,
        row.last_seen_at,
    )
    with _lock:
        if len(_logins) >= LOGIN_CACHE_MAX:
            _logins.clear()
        _logins[row.token_hash] = kept


ENDED = "logins.ended"  # the event kind: payload {"user": id}


def ended(*, session: Session, user_id: int) -> None:
    """Some or all of a user's logins end in this transaction: forget them here, and tell
    the other replicas through the outbox (`FeedReadModel.apply` forgets them there)."""
    forget(user_id=user_id)
    event_record(session=session, kind=ENDED, payload={"user": user_id})


def forget(*, user_id: int) -> None:
    """Drop every remembered login of a user from this process."""
    with _lock:
        for key in [k for k, kept in _logins.items() if kept.user_id == user_id]:
            del _logins[key]


def forget_all() -> None:
    with _lock:
        _logins.clear()
