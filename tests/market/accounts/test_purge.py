"""The purge of login sessions: those past their idle or absolute limit go, live ones stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from market.accounts import service as accounts
from market.models import User, UserSession
from tests.factories import make_worker

NOW = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)
IDLE = timedelta(days=7)  # session_idle_minutes' default
ABSOLUTE = timedelta(days=30)  # session_absolute_days' default


def _login(session: Session, user: User, *, created: timedelta, seen: timedelta) -> str:
    """A session made `created` before NOW and last used `seen` before NOW: its token."""
    token, row = accounts.session_create(session=session, user=user)
    row.created_at = NOW - created
    row.last_seen_at = NOW - seen
    session.add(row)
    session.flush()
    return token


def _left(session: Session) -> int:
    return len(session.exec(select(UserSession.token_hash)).all())


def test_purge_deletes_idle_and_too_old_sessions_and_keeps_live_ones(db: Session) -> None:
    user = make_worker(db)
    expired = [
        _login(db, user, created=IDLE * 2, seen=IDLE + timedelta(minutes=1)),  # idle
        _login(db, user, created=ABSOLUTE + timedelta(minutes=1), seen=timedelta(hours=1)),  # old
    ]
    live = [
        _login(db, user, created=ABSOLUTE - timedelta(minutes=1), seen=IDLE - timedelta(minutes=1)),
        _login(db, user, created=IDLE, seen=IDLE),  # exactly at the idle limit: still accepted
        _login(db, user, created=timedelta(0), seen=timedelta(0)),
    ]
    assert accounts.sessions_purge(session=db, now=NOW) == 2
    assert _left(db) == 3
    for token in live:
        assert accounts.get_session_user(session=db, token=token, now=NOW, touch=False) is not None
    for token in expired:
        assert accounts.get_session_user(session=db, token=token, now=NOW, touch=False) is None


def test_purge_in_small_batches_deletes_every_expired_session(db: Session) -> None:
    user = make_worker(db)
    for _ in range(5):
        _login(db, user, created=ABSOLUTE * 2, seen=ABSOLUTE * 2)
    _login(db, user, created=timedelta(hours=1), seen=timedelta(hours=1))
    assert accounts.sessions_purge(session=db, now=NOW, batch_size=2) == 5
    assert _left(db) == 1
    assert accounts.sessions_purge(session=db, now=NOW, batch_size=2) == 0


def test_purge_with_nothing_expired_deletes_nothing(db: Session) -> None:
    user = make_worker(db)
    _login(db, user, created=timedelta(days=1), seen=timedelta(minutes=3))
    assert accounts.sessions_purge(session=db, now=NOW) == 0
    assert _left(db) == 1
