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
eyes) reads logins from here; every other request, and every write, asks the database.
"""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import datetime, timedelta

from sqlmodel import Session

from market.events.service import event_record
from market.models import User, UserSession
from market.settings import get_settings

LOGIN_CACHE_SECONDS = 300.0  # a safety net, as the worker cache's: events drop entries first
LOGIN_CACHE_MAX = 100_000  # entries; all dropped at once when full (a reread costs a query)

_logins: dict[str, tuple[float, User, UserSession]] = {}
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


def remembered(token: str, now: datetime) -> tuple[User, UserSession] | None:
    """The login behind `token` if read from the database under LOGIN_CACHE_SECONDS ago and
    still valid at `now`; None: ask the database."""
    found = _logins.get(token_hash(token))
    if found is None or time.monotonic() - found[0] >= LOGIN_CACHE_SECONDS:
        return None
    _, user, row = found
    if not user.is_active or expired(row, now):
        return None
    return user, row


def remember(user: User, row: UserSession) -> None:
    """Keep a login just read from the database: copies, in no session (the cache hands the
    same objects to every feed, and a session's rollback would expire its own), without the
    password hash."""
    copies = (
        User.model_validate({**user.model_dump(), "password_hash": ""}),
        UserSession.model_validate(row.model_dump()),
    )
    with _lock:
        if len(_logins) >= LOGIN_CACHE_MAX:
            _logins.clear()
        _logins[row.token_hash] = (time.monotonic(), *copies)


ENDED = "logins.ended"  # the event kind: payload {"user": id}


def ended(*, session: Session, user_id: int) -> None:
    """Some or all of a user's logins end in this transaction: forget them here, and tell
    the other replicas through the outbox (`FeedReadModel.apply` forgets them there)."""
    forget(user_id=user_id)
    event_record(session=session, kind=ENDED, payload={"user": user_id})


def forget(*, token_hash: str | None = None, user_id: int | None = None) -> None:
    """Drop a logged-out session, or every session of a user, from this process."""
    with _lock:
        if token_hash is not None:
            _logins.pop(token_hash, None)
        if user_id is not None:
            for key in [k for k, (_, user, _) in _logins.items() if user.id == user_id]:
                del _logins[key]


def forget_all() -> None:
    with _lock:
        _logins.clear()
