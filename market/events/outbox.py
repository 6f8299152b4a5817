"""The outbox relay: numbers committed events gap-free and reads them back by number.

Writers leave `Event.seq` empty. One relay at a time (on PostgreSQL the holder of a
transaction-scoped advisory lock, on SQLite the holder of the write lock) gives the
unnumbered events the next numbers in id order, in a short transaction of its own. Because
numbers are handed out under that lock as `max(seq) + 1 ...`, every number below a
committed one is committed too: a reader that sees seq 12 after 10 knows 11 exists and can
fetch it. Clients resume from the last number they saw.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Integer, bindparam, event, func, update
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from market.db import read_only, try_xact_lock
from market.invites import blocks as block_service
from market.jobs import service as job_service
from market.models import Event, Job
from market.types import utcnow
from market.workers import service as worker_service
from matching import model as m

# pg_try_advisory_xact_lock key: "linggong outbox relay"
RELAY_LOCK_KEY = 0x6C67_6F62
BATCH = 500


@dataclass(frozen=True, slots=True)
class Published:
    """A numbered event, as the live hubs pass it around (and through Redis)."""

    seq: int
    kind: str
    job_id: int | None
    worker_id: int | None
    employer_id: int | None
    payload: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps(
            [self.seq, self.kind, self.job_id, self.worker_id, self.employer_id, self.payload],
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, data: str | bytes) -> Published:
        seq, kind, job_id, worker_id, employer_id, payload = json.loads(data)
        return cls(int(seq), kind, job_id, worker_id, employer_id, payload)


def stream_name(database_url: str) -> str:
    """The Redis stream of one database: replicas sharing a database share the stream."""
    return "linggong:events:" + hashlib.sha1(database_url.encode()).hexdigest()[:12]


def number_pending(
    *, engine: Engine, limit: int = BATCH, looked: bool = False
) -> list[Published] | None:
    """Number the oldest unnumbered events in a transaction of our own and return them.

    Returns None when another relay holds the lock right now (it will number them).
    `looked`: the caller has just seen `has_pending` say yes, so it is not asked again.
    """
    if not looked and not has_pending(engine=engine):  # a read: never waits for SQLite's lock
        return []
    with Session(engine, expire_on_commit=False) as session:
        if not try_xact_lock(session, RELAY_LOCK_KEY):
            session.rollback()
            return None
        # SQLite: the first write takes the database lock (BEGIN IMMEDIATE), then we read
        connection = session.connection()
        pending = connection.execute(_UNNUMBERED, {"limit": limit}).all()
        if not pending:
            session.rollback()
            return []
        top = connection.execute(_TOP).scalar() or 0
        # one statement executed many (an ORM update a row, each re-evaluated against every
        # row the session held, was a sixth of a loaded replica's CPU)
        connection.execute(
            _NUMBER,
            [{"row_id": row.id, "number": n} for n, row in enumerate(pending, start=top + 1)],
        )
        published = [
            Published(n, row.kind, row.job_id, row.worker_id, row.employer_id, row.payload)
            for n, row in enumerate(pending, start=top + 1)
        ]
        session.commit()
        return published


# The relay and every hub ask these each second, idle or not: built once, run on a plain
# connection (made per call and through the ORM, they were most of an idle replica's CPU)
_PENDING = select(Event.id).where(col(Event.seq).is_(None)).limit(1)
_SEQ_MAX = 2**31 - 1  # event.seq is a 32-bit integer
_EVENTS: Any = Event.__table__  # type: ignore[attr-defined]
_SINCE = (
    sql_select(
        _EVENTS.c.seq,
        _EVENTS.c.kind,
        _EVENTS.c.job_id,
        _EVENTS.c.worker_id,
        _EVENTS.c.employer_id,
        _EVENTS.c.payload,
    )
    .where(_EVENTS.c.seq > bindparam("after"), _EVENTS.c.seq <= bindparam("until"))
    .order_by(_EVENTS.c.seq)
    .limit(bindparam("limit", type_=Integer))
)


_UNNUMBERED = (
    sql_select(
        _EVENTS.c.id,
        _EVENTS.c.kind,
        _EVENTS.c.job_id,
        _EVENTS.c.worker_id,
        _EVENTS.c.employer_id,
        _EVENTS.c.payload,
    )
    .where(_EVENTS.c.seq.is_(None))
    .order_by(_EVENTS.c.id)
    .limit(bindparam("limit", type_=Integer))
)
_TOP = sql_select(func.max(_EVENTS.c.seq))
_NUMBER = update(_EVENTS).where(_EVENTS.c.id == bindparam("row_id")).values(seq=bindparam("number"))


def has_pending(*, engine: Engine) -> bool:
    """True when some committed event still waits for its number."""
    with read_only(engine).connect() as connection:
        return connection.execute(_PENDING).first() is not None


def current_seq(*, engine: Engine) -> int:
    """The highest number handed out so far (0 before the first)."""
    with Session(read_only(engine)) as session:
        return session.exec(select(func.max(Event.seq))).one() or 0


@dataclass(frozen=True, slots=True)
class Lag:
    """How far the relay is behind: committed events still waiting for their number."""

    pending: int  # committed, not yet numbered (so not yet published)
    oldest_age_s: float  # age of the oldest of them; 0 when none waits
    last_seq: int  # the highest number handed out


def relay_lag(*, engine: Engine, now: datetime | None = None) -> Lag:
    """The outbox's backlog right now (two reads: for a metrics scrape, not a hot path)."""
    now = now or utcnow()
    with Session(read_only(engine)) as session:
        pending, oldest = session.exec(
            select(func.count(col(Event.id)), func.min(Event.created_at)).where(
                col(Event.seq).is_(None)
            )
        ).one()
        last = session.exec(select(func.max(Event.seq))).one() or 0
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return Lag(pending=int(pending or 0), oldest_age_s=age, last_seq=int(last))


def list_since(
    *, engine: Engine, after: int, until: int | None = None, limit: int = BATCH
) -> list[Published]:
    """Numbered events after `after` (up to `until`), in number order."""
    bounds = {"after": after, "until": _SEQ_MAX if until is None else until, "limit": limit}
    with read_only(engine).connect() as connection:
        rows = connection.execute(_SINCE, bounds).all()
    return [Published(*row) for row in rows]


def job_summaries(*, engine: Engine, job_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """What anyone may know of these jobs, as in a `job.posted` event."""
    with Session(read_only(engine)) as session:
        certificates = job_service.certificates_by_job(session=session, job_ids=job_ids)
        result = {}
        for job_id in job_ids:
            job = session.get(Job, job_id)
            if job is not None:
                result[job_id] = job_service.job_summary(job, certificates[job_id])
        return result


def live_workers(
    *, engine: Engine, worker_ids: Sequence[int], now: datetime | None = None
) -> dict[int, m.Worker | None]:
    """Workers as the matching module sees them (None: no location or trade yet)."""
    now = now or utcnow()
    with Session(read_only(engine)) as session:
        views = worker_service.list_workers(session=session, user_ids=worker_ids)
        busy = worker_service.busy_windows(session=session, worker_ids=list(views), now=now)
        return {
            worker_id: (
                worker_service.matching_worker(views[worker_id], now=now, busy=busy[worker_id])
                if worker_id in views
                else None
            )
            for worker_id in worker_ids
        }


def live_blocks(*, engine: Engine, worker_id: int) -> frozenset[int]:
    """The employers a worker blocked or was blocked by: their jobs are not pushed to them."""
    with Session(read_only(engine)) as session:
        return frozenset(block_service.blocked_with(session=session, user_id=worker_id))


# ------------------------------------------------------------------ wake-ups after commit

_watchers: list[Callable[[], None]] = []
_watch_lock = threading.Lock()


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if any(isinstance(obj, Event) for obj in session.new):
        session.info["linggong_outbox"] = True


def _after_commit(session: Session) -> None:
    if session.info.pop("linggong_outbox", False):
        for watcher in list(_watchers):
            watcher()


def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop("linggong_outbox", None)


def watch_commits(callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` (from the committing thread) after each commit that wrote events.

    Returns the function that stops watching.
    """
    with _watch_lock:
        if not _watchers:
            event.listen(Session, "before_flush", _before_flush)
            event.listen(Session, "after_commit", _after_commit)
            event.listen(Session, "after_soft_rollback", _after_rollback)
        _watchers.append(callback)

    def stop() -> None:
        with _watch_lock:
            if callback in _watchers:
                _watchers.remove(callback)
            if not _watchers and event.contains(Session, "after_commit", _after_commit):
                event.remove(Session, "before_flush", _before_flush)
                event.remove(Session, "after_commit", _after_commit)
                event.remove(Session, "after_soft_rollback", _after_rollback)

    return stop
