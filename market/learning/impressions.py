"""What a worker's feed showed, kept compactly, and the history it makes with the outcomes.

A feed only appends to this replica's `ImpressionLog` in memory (a few set look-ups per
request, no query); the background loop writes the log out with `impressions_flush` every
round. Only the first page is kept, once per worker, job and day (a refresh of the same
list writes nothing), and rows are purged after RETENTION_DAYS. A replica that crashes
loses what it had not written: this is a sample to learn from, nobody's record.

Outcomes are not copied: `list_history` joins each impression with the worker's
application to the job (claimed, hired, completed, cancelled, no-show) when fitting.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, delete, text, update
from sqlmodel import Session, col, select

from market.db import dialect_insert
from market.i18n import market_tz
from market.learning.models import Impression, WorkerTaste
from market.models import Application, ApplicationStatus
from matching import learn
from matching.model import Match

FIRST_PAGE = 10  # cards recorded per list: what a phone shows before a long scroll
RETENTION_DAYS = 90
BUFFER_MAX = 50_000  # rows waiting for the next flush; beyond, new ones are dropped
SEEN_MAX = 1_000_000  # (worker, job) pairs remembered for today before starting over
OPENED_WITHIN_DAYS = 7  # an opened job page counts for impressions this recent
MAX_HISTORY = 200_000  # the most recent impressions a fit reads (about 80 MB in memory)
FLUSH_BATCH = 1_000  # rows per INSERT
ATTRIBUTION = timedelta(days=1)  # an application counts for the cards shown this long before

OUTCOME_OF: dict[str, learn.Outcome] = {
    ApplicationStatus.applied: "claimed",
    ApplicationStatus.declined: "claimed",
    ApplicationStatus.withdrawn: "claimed",
    ApplicationStatus.confirmed: "confirmed",
    ApplicationStatus.completed: "completed",
    ApplicationStatus.cancelled: "cancelled",
    ApplicationStatus.no_show: "no_show",
}


@dataclass(frozen=True, slots=True)
class Shown:
    worker_id: int
    job_id: int
    day: date
    shown_at: datetime
    slot: int
    rank: int
    propensity: float
    features: tuple[float, ...]
    weights_id: int | None


class ImpressionLog:
    """Impressions and job-page opens waiting to be written (one per replica)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: list[Shown] = []
        self._opened: list[tuple[int, int, date]] = []
        self._day: date | None = None
        self._seen: set[tuple[int, int]] = set()
        self.dropped = 0

    def add(self, rows: Sequence[Shown]) -> int:
        """Keep the rows not yet kept today; how many were new."""
        added = 0
        with self._lock:
            for row in rows:
                if row.day != self._day or len(self._seen) >= SEEN_MAX:
                    self._day, self._seen = row.day, set()
                key = (row.worker_id, row.job_id)
                if key in self._seen:
                    continue
                if len(self._rows) >= BUFFER_MAX:
                    self.dropped += 1
                    continue
                self._seen.add(key)
                self._rows.append(row)
                added += 1
        return added

    def opened(self, *, worker_id: int, job_id: int, now: datetime) -> None:
        """The worker opened the job's page."""
        with self._lock:
            if len(self._opened) < BUFFER_MAX:
                self._opened.append((worker_id, job_id, local_day(now)))

    def take(self) -> tuple[list[Shown], list[tuple[int, int, date]]]:
        """Everything waiting, and forget it."""
        with self._lock:
            rows, self._rows = self._rows, []
            opened, self._opened = self._opened, []
        return rows, opened


def local_day(now: datetime) -> date:
    return now.astimezone(market_tz()).date()


def feed_shown(
    *,
    log: ImpressionLog | None,
    worker_id: int,
    matches: list[Match],
    now: datetime,
    weights_id: int | None,
    epsilon: float,
) -> list[Match]:
    """The ranked feed with a few adjacent cards swapped at random, its first page logged.

    The coin is seeded by worker and day, so a refresh shows the same order all day."""
    day = local_day(now)
    coin = random.Random(f"{worker_id}:{day.isoformat()}")
    order = learn.explore(len(matches), rng=coin, epsilon=epsilon)
    shown = [matches[rank] for rank, _ in order]
    if log is not None:
        log.add(
            [
                Shown(
                    worker_id,
                    int(matches[rank].job),
                    day,
                    now,
                    slot,
                    rank,
                    round(propensity, 4),
                    matches[rank].features,
                    weights_id,
                )
                for slot, (rank, propensity) in enumerate(order[:FIRST_PAGE])
            ]
        )
    return shown


def impressions_flush(*, session: Session, log: ImpressionLog) -> int:
    """Write what the log holds (a row already there for the worker, job and day is
    kept as it is) and mark opened impressions; how many impressions were new."""
    rows, opened = log.take()
    written = 0
    if rows and session.get_bind().dialect.name == "postgresql":
        written = _insert_unnest(session, rows)
    elif rows:
        insert = dialect_insert(session)
        values = [
            {
                "worker_id": r.worker_id,
                "job_id": r.job_id,
                "day": r.day,
                "shown_at": r.shown_at,
                "slot": r.slot,
                "rank": r.rank,
                "propensity": r.propensity,
                "features": list(r.features),
                "weights_id": r.weights_id,
                "opened": False,
            }
            for r in rows
        ]
        for at in range(0, len(values), FLUSH_BATCH):  # PostgreSQL takes 65,535 parameters
            statement = insert(Impression).values(values[at : at + FLUSH_BATCH])
            added = statement.on_conflict_do_nothing().returning(col(Impression.id))
            written += len(session.execute(added).all())
    for worker_id, job_id, day in opened:
        session.execute(
            update(Impression)
            .where(
                col(Impression.worker_id) == worker_id,
                col(Impression.job_id) == job_id,
                col(Impression.day) >= day - timedelta(days=OPENED_WITHIN_DAYS),
            )
            .values(opened=True)
        )
    return written


# one statement of arrays whose text never changes: a VALUES list of a thousand rows was
# compiled by SQLAlchemy and parsed by PostgreSQL afresh each batch, 260-370 µs of the
# replica's CPU an impression (2,000 at a time) where this costs 20-29
_UNNEST_INSERT = text(
    "INSERT INTO learning_impression (worker_id, job_id, day, shown_at, slot, rank, propensity,"
    " features, weights_id, opened) "
    "SELECT w, j, d, s, sl, r, p, CAST(f AS json), wid, false FROM unnest("
    "CAST(:w AS integer[]), CAST(:j AS integer[]), CAST(:d AS date[]),"
    " CAST(:s AS timestamp[]), CAST(:sl AS smallint[]), CAST(:r AS smallint[]),"
    " CAST(:p AS float8[]), CAST(:f AS text[]), CAST(:wid AS integer[]))"
    " AS t(w, j, d, s, sl, r, p, f, wid) "
    "ON CONFLICT (worker_id, job_id, day) DO NOTHING RETURNING id"
)


def _insert_unnest(session: Session, rows: Sequence[Shown]) -> int:
    """PostgreSQL: the rows in one INSERT … SELECT FROM unnest(); how many were new."""
    moment = Impression.__table__.c.shown_at.type.bind_processor(  # type: ignore[attr-defined]
        session.get_bind().dialect
    )
    shown = {r.shown_at for r in rows}  # a flush's rows share a few moments
    stored = {at: moment(at) if moment else at for at in shown}
    result = session.execute(
        _UNNEST_INSERT,
        {
            "w": [r.worker_id for r in rows],
            "j": [r.job_id for r in rows],
            "d": [r.day for r in rows],
            "s": [stored[r.shown_at] for r in rows],
            "sl": [r.slot for r in rows],
            "r": [r.rank for r in rows],
            "p": [r.propensity for r in rows],
            "f": [json.dumps(list(r.features)) for r in rows],
            "wid": [r.weights_id for r in rows],
        },
    )
    return len(result.all())


def impressions_purge(*, session: Session, now: datetime) -> int:
    """Delete impressions older than RETENTION_DAYS; how many."""
    cutoff = now - timedelta(days=RETENTION_DAYS)
    result = session.execute(delete(Impression).where(col(Impression.shown_at) < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def impressions_forget(*, session: Session, worker_id: int) -> None:
    """Delete everything the feed recorded about what a worker was shown, and their taste."""
    session.execute(delete(Impression).where(col(Impression.worker_id) == worker_id))
    session.execute(delete(WorkerTaste).where(col(WorkerTaste.worker_id) == worker_id))


def list_history(*, session: Session, since: datetime) -> list[learn.HistoryRow]:
    """Impressions since `since` with what came of each, oldest first.

    An application counts for the cards of the job shown to the worker in the ATTRIBUTION
    before it (a card shown earlier was passed over then); a job the worker had applied to
    before it was shown tells nothing about the list and is left out."""
    i = Impression.__table__.c  # type: ignore[attr-defined]
    columns = [
        *(i[name] for name in ("worker_id", "job_id", "day", "shown_at", "slot", "rank")),
        *(i[name] for name in ("propensity", "features", "opened")),
        Application.__table__.c.status,  # type: ignore[attr-defined]
        Application.__table__.c.created_at,  # type: ignore[attr-defined]
    ]
    rows = session.execute(  # plain columns, not entities: a fit reads many
        select(*columns)
        .outerjoin(
            Application,
            and_(
                col(Application.worker_id) == i.worker_id,
                col(Application.job_id) == i.job_id,
            ),
        )
        .where(i.shown_at >= since)
        .order_by(i.shown_at.desc(), i.id.desc())
        .limit(MAX_HISTORY)
    ).all()
    history = []
    for (
        worker,
        job,
        day,
        shown_at,
        slot,
        rank,
        propensity,
        features,
        opened,
        status,
        applied_at,
    ) in reversed(rows):
        if status is not None and applied_at < shown_at:
            continue
        outcome: learn.Outcome = "opened" if opened else "ignored"
        if status is not None and applied_at < shown_at + ATTRIBUTION:
            outcome = OUTCOME_OF[status]
        history.append(
            learn.HistoryRow(
                worker=str(worker),
                job=str(job),
                features=tuple(features),
                outcome=outcome,
                position=slot,
                rank=rank,
                day=day.toordinal(),
                propensity=propensity,
            )
        )
    return history
