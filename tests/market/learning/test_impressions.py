"""What a worker's feed showed: logged in memory, written once per worker, job and day, joined
with what came of it, purged after the retention period."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import Session, col, select

from market.accounts import privacy
from market.feed import service as feed_service
from market.feed.schemas import FeedFilter
from market.learning import impressions
from market.learning import service as learning_service
from market.models import Application, ApplicationStatus, Impression, Job, User, WorkerTaste
from market.purge import expired_purge
from market.types import utcnow
from matching.score import FEATURES
from tests.factories import YANTAI, make_job, make_worker
from tests.market.service_helpers import hire

LAT, LON = YANTAI


@pytest.fixture(autouse=True)
def _no_cached_weights() -> Iterator[None]:
    yield
    learning_service.forget_live()  # what a rolled-back test made live is gone


def _jobs(session: Session, n: int, start_at: datetime | None = None) -> list[Job]:
    """`n` painting jobs (tomorrow), each 0.5 km further north than the one before."""
    return [
        make_job(session, lat=LAT + 0.0045 * (i + 1), lon=LON, start_at=start_at) for i in range(n)
    ]


def _feed(
    session: Session, worker: User, log: impressions.ImpressionLog, now: datetime
) -> list[int]:
    feed = feed_service.list_feed(
        session=session, worker_id=worker.id or 0, data=FeedFilter(limit=20), now=now, shown=log
    )
    return [item.job.id or 0 for item in feed.items]


def _stored(session: Session) -> list[Impression]:
    return list(session.exec(select(Impression).order_by(col(Impression.slot))).all())


def test_a_feed_logs_its_first_page_once_a_day_with_the_features_as_scored(db: Session) -> None:
    worker, jobs = make_worker(db), _jobs(db, 12)
    log, now = impressions.ImpressionLog(), utcnow()
    shown = _feed(db, worker, log, now)
    assert shown == [j.id for j in jobs]  # nearest first, all twelve listed
    assert _feed(db, worker, log, now + timedelta(minutes=5)) == shown  # a refresh
    assert impressions.impressions_flush(session=db, log=log) == impressions.FIRST_PAGE
    rows = _stored(db)
    assert [(r.job_id, r.slot, r.rank, r.propensity) for r in rows] == [
        (j.id, i, i, 1.0) for i, j in enumerate(jobs[: impressions.FIRST_PAGE])
    ]
    assert all(len(r.features) == len(FEATURES) and r.weights_id is None for r in rows)
    nearer, further = rows[0].features, rows[1].features
    assert nearer[FEATURES.index("distance")] > further[FEATURES.index("distance")]
    assert impressions.impressions_flush(session=db, log=log) == 0  # nothing waiting


def test_another_replica_showing_the_same_card_the_same_day_writes_nothing(db: Session) -> None:
    worker, now = make_worker(db), utcnow()
    _jobs(db, 3)
    for _ in range(2):  # two replicas, each with its own log
        log = impressions.ImpressionLog()
        _feed(db, worker, log, now)
        impressions.impressions_flush(session=db, log=log)
    assert len(_stored(db)) == 3
    log = impressions.ImpressionLog()
    _feed(db, worker, log, now - timedelta(days=1))  # another day counts again
    assert impressions.impressions_flush(session=db, log=log) == 3


def test_the_swaps_are_logged_with_their_propensity(db: Session) -> None:
    worker, jobs = make_worker(db), _jobs(db, 10)
    ranked = feed_service.list_feed(
        session=db, worker_id=worker.id or 0, data=FeedFilter(limit=10), now=utcnow()
    )
    swapped = 0
    for day in range(7):  # a day's coin may swap nothing (1 in 32 with 10 cards): a week
        log = impressions.ImpressionLog()
        explored = impressions.feed_shown(
            log=log,
            worker_id=worker.id or 0,
            matches=[item.match for item in ranked.items],
            now=utcnow() + timedelta(days=day),
            weights_id=None,
            epsilon=0.5,
        )
        assert sorted(int(m.job) for m in explored) == sorted(j.id or 0 for j in jobs)
        rows, _ = log.take()
        swapped += any(r.slot != r.rank for r in rows)
        for row in rows:
            assert abs(row.slot - row.rank) <= 1
            assert explored[row.slot].job == str(row.job_id)
            assert row.propensity == (
                0.25 if row.slot != row.rank else 0.75 if row.rank in (0, 9) else 0.5
            )
    assert swapped >= 3  # most days' coins swap some cards


def test_history_joins_each_impression_with_what_came_of_it(db: Session) -> None:
    worker, jobs = make_worker(db), _jobs(db, 6)
    log, shown_at = impressions.ImpressionLog(), utcnow() - timedelta(hours=2)
    _feed(db, worker, log, shown_at)
    log.opened(worker_id=worker.id or 0, job_id=jobs[1].id or 0, now=shown_at)
    impressions.impressions_flush(session=db, log=log)
    for job, status in (
        (jobs[3], ApplicationStatus.completed),
        (jobs[4], ApplicationStatus.no_show),
    ):
        application = hire(db, job=job, worker=worker, now=utcnow())
        application.status = status  # the shifts overlap: done before the next hire
        db.add(application)
        db.flush()
    hire(db, job=jobs[2], worker=worker, now=utcnow())
    history = impressions.list_history(session=db, since=shown_at - timedelta(days=1))
    assert [(row.job, row.outcome) for row in history] == [
        (str(jobs[0].id), "ignored"),
        (str(jobs[1].id), "opened"),
        (str(jobs[2].id), "confirmed"),
        (str(jobs[3].id), "completed"),
        (str(jobs[4].id), "no_show"),
        (str(jobs[5].id), "ignored"),
    ]


def test_a_job_applied_to_before_it_was_shown_is_left_out(db: Session) -> None:
    worker, (job,) = make_worker(db), _jobs(db, 1)
    hire(db, job=job, worker=worker, now=utcnow())
    applied = db.exec(select(Application)).one()
    applied.created_at = utcnow() - timedelta(days=1)
    db.add(applied)
    db.flush()
    log = impressions.ImpressionLog()
    _feed(db, worker, log, utcnow())
    impressions.impressions_flush(session=db, log=log)
    assert impressions.list_history(session=db, since=utcnow() - timedelta(days=2)) == []


def _row(job_id: int, shown_at: datetime, worker_id: int = 1) -> impressions.Shown:
    day = impressions.local_day(shown_at)
    return impressions.Shown(worker_id, job_id, day, shown_at, 0, 0, 1.0, (0.5,) * 6, None)


def test_impressions_past_the_retention_period_are_purged(db: Session) -> None:
    now = utcnow()
    log = impressions.ImpressionLog()
    for job_id, days_ago in enumerate(
        (impressions.RETENTION_DAYS + 1, impressions.RETENTION_DAYS - 1)
    ):
        log.add([_row(job_id, now - timedelta(days=days_ago))])
        impressions.impressions_flush(session=db, log=log)
    assert expired_purge(session=db, now=now)["impressions"] == 1
    assert [r.job_id for r in _stored(db)] == [1]


def test_a_deleted_account_leaves_no_impressions(db: Session) -> None:
    worker, other = make_worker(db), make_worker(db)
    _jobs(db, 2)
    log = impressions.ImpressionLog()
    for who in (worker, other):
        _feed(db, who, log, utcnow())
    impressions.impressions_flush(session=db, log=log)
    db.add(WorkerTaste(worker_id=worker.id or 0, distance_share=0.3, rows=50))
    privacy.account_delete(session=db, user=worker)
    assert {r.worker_id for r in _stored(db)} == {other.id}
    assert db.get(WorkerTaste, worker.id) is None


def test_a_full_log_drops_new_rows_and_counts_them() -> None:
    log = impressions.ImpressionLog()
    rows = [_row(job_id, utcnow()) for job_id in range(10)]
    impressions.BUFFER_MAX, saved = 4, impressions.BUFFER_MAX
    try:
        assert log.add(rows) == 4
    finally:
        impressions.BUFFER_MAX = saved
    assert log.dropped == 6 and len(log.take()[0]) == 4


def test_a_busy_day_is_written_in_batches_postgresql_takes(db: Session) -> None:
    log, now = impressions.ImpressionLog(), utcnow()
    # 6,000 rows of 11 values: one INSERT would pass PostgreSQL's 65,535 parameters
    log.add([_row(job_id % 600, now, worker_id=job_id // 600) for job_id in range(6_000)])
    assert impressions.impressions_flush(session=db, log=log) == 6_000
    assert len(_stored(db)) == 6_000


def test_a_flush_stores_each_value_as_given_and_a_pair_once(db: Session) -> None:
    """What a flush writes reads back the same on either database (PostgreSQL takes the
    rows as arrays); a pair twice in one flush, or already stored, is written once."""
    shanghai = datetime(2026, 12, 1, 6, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    day = impressions.local_day(shanghai)
    given = [
        impressions.Shown(7, 70, day, shanghai, 3, 5, 0.25, (0.1, -2.5, 1e-9), 4),
        impressions.Shown(8, 70, day, shanghai + timedelta(seconds=1), 0, 0, 1.0, (), None),
        impressions.Shown(7, 70, day, shanghai, 9, 9, 0.5, (9.0,), None),  # the same pair
    ]
    log = impressions.ImpressionLog()
    log._rows.extend(given)  # as two replicas' logs would hold them
    assert impressions.impressions_flush(session=db, log=log) == 2
    rows = sorted(_stored(db), key=lambda r: r.worker_id)
    assert [
        (r.worker_id, r.job_id, r.day, r.shown_at, r.slot, r.rank, r.propensity, r.features)
        for r in rows
    ] == [
        (7, 70, day, shanghai, 3, 5, 0.25, [0.1, -2.5, 1e-9]),
        (8, 70, day, shanghai + timedelta(seconds=1), 0, 0, 1.0, []),
    ]
    assert [r.weights_id for r in rows] == [4, None] and not any(r.opened for r in rows)
    log._rows.append(given[1])
    assert impressions.impressions_flush(session=db, log=log) == 0
    assert len(_stored(db)) == 2


def test_a_workers_export_holds_what_their_feed_showed_and_nobody_elses(db: Session) -> None:
    worker, other = make_worker(db), make_worker(db)
    (job,) = _jobs(db, 1)
    log = impressions.ImpressionLog()
    for who in (worker, other):
        _feed(db, who, log, utcnow())
    impressions.impressions_flush(session=db, log=log)
    db.add(WorkerTaste(worker_id=worker.id or 0, distance_share=0.3, rows=50))
    data = privacy.export_user_data(session=db, user=worker)
    assert [(r["worker_id"], r["job_id"]) for r in data["feed_impressions"]] == [
        (worker.id, job.id)
    ]
    assert data["feed_taste"]["distance_share"] == 0.3
    assert privacy.export_user_data(session=db, user=other)["feed_taste"] is None
