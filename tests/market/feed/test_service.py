"""The worker's feed and the employer's candidates, called straight on the service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from market.applications import service as application_service
from market.errors import NotFound
from market.feed import candidates as candidate_service
from market.feed import service as feed_service
from market.feed.schemas import FeedFilter
from market.i18n import market_tz
from market.models import Job, User, WeeklyAvailability, WorkerProfile
from matching.geo import haversine_km
from tests.factories import YANTAI, make_employer, make_job, make_worker
from tests.market.service_helpers import hire, refused, snapshot

NOW = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)  # Monday 10:00 in the market's time zone
LAT, LON = YANTAI


def local_at(days: int, hour: int) -> datetime:
    """`hour` o'clock local time, `days` after NOW's local day, in UTC."""
    day = NOW.astimezone(market_tz()).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=market_tz()).astimezone(UTC)


def job_at(session: Session, *, north: float = 0.01, **fields: object) -> Job:
    """A painting job `north` degrees of latitude north of the workers' home (0.01 = 1.1 km)."""
    fields.setdefault("start_at", local_at(1, 9))
    return make_job(session, lat=LAT + north, lon=LON, **fields)  # type: ignore[arg-type]


def feed_ids(session: Session, worker: User, **filters: object) -> list[int]:
    feed = feed_service.list_feed(
        session=session, worker_id=worker.id or 0, data=FeedFilter(**filters), now=NOW
    )
    return [item.job.id or 0 for item in feed.items]


# ---------------------------------------------------------------- hard constraints

Case = Callable[[Session], tuple[User, Job, Job]]  # (worker, a job that fits, one that does not)


def _trade(s: Session) -> tuple[User, Job, Job]:
    return make_worker(s), job_at(s), job_at(s, trade="cook")


def _listed_certificate(s: Session) -> tuple[User, Job, Job]:
    return make_worker(s), job_at(s), job_at(s, certificates=("work_at_height",))


def _legal_certificate(s: Session) -> tuple[User, Job, Job]:
    # a plumber may take an electrician's job, but the law wants the certificate
    plumber = make_worker(s, trades=(("plumber", 2),))
    return plumber, job_at(s, trade="plumber"), job_at(s, trade="electrician")


def _radius(s: Session) -> tuple[User, Job, Job]:
    return make_worker(s, radius_km=15), job_at(s, north=0.09), job_at(s, north=0.18)  # 10, 20 km


def _min_wage(s: Session) -> tuple[User, Job, Job]:
    return make_worker(s, min_wage=350), job_at(s, wage=350), job_at(s, wage=340)


def _availability(s: Session) -> tuple[User, Job, Job]:
    worker = make_worker(s, all_day=False)
    s.add(
        WeeklyAvailability(worker_id=worker.id or 0, weekday=0, start_minute=420, end_minute=1140)
    )
    s.flush()  # Mondays 07:00-19:00: this afternoon fits, tomorrow (a Tuesday) does not
    return worker, job_at(s, start_at=local_at(0, 12), hours=6), job_at(s, start_at=local_at(1, 9))


def _clash(s: Session) -> tuple[User, Job, Job]:
    worker = make_worker(s)
    hire(s, job=job_at(s, start_at=local_at(1, 9), instant=True), worker=worker, now=NOW)
    overlapping = job_at(s, start_at=local_at(1, 13), hours=7)
    return worker, job_at(s, start_at=local_at(1, 18), hours=4), overlapping


def _full(s: Session) -> tuple[User, Job, Job]:
    full = job_at(s, headcount=1, instant=True)
    hire(s, job=full, worker=make_worker(s), now=NOW)
    return make_worker(s), job_at(s), full


def _hidden(s: Session) -> tuple[User, Job, Job]:
    hidden = job_at(s)
    hidden.hidden_reason = "虚假招工"
    s.add(hidden)
    return make_worker(s), job_at(s), hidden


def _started(s: Session) -> tuple[User, Job, Job]:
    return make_worker(s), job_at(s), job_at(s, start_at=NOW - timedelta(hours=1))


def _cancelled(s: Session) -> tuple[User, Job, Job]:
    cancelled = job_at(s)
    cancelled.status = "cancelled"
    s.add(cancelled)
    return make_worker(s), job_at(s), cancelled


@pytest.mark.parametrize(
    "case",
    [
        _trade,
        _listed_certificate,
        _legal_certificate,
        _radius,
        _min_wage,
        _availability,
        _clash,
        _full,
        _hidden,
        _started,
        _cancelled,
    ],
    ids=lambda case: case.__name__.strip("_"),
)
def test_feed_when_a_job_breaks_a_hard_constraint_leaves_it_out(db: Session, case: Case) -> None:
    worker, fits, breaks = case(db)
    db.flush()
    assert feed_ids(db, worker) == [fits.id]
    assert breaks.id != fits.id


def test_feed_when_the_worker_holds_the_certificate_shows_the_job(db: Session) -> None:
    worker = make_worker(db, certificates=("work_at_height",))
    job = job_at(db, certificates=("work_at_height",))
    feed = feed_service.list_feed(session=db, worker_id=worker.id or 0, data=FeedFilter(), now=NOW)
    assert [i.job.id for i in feed.items] == [job.id]
    assert feed.items[0].certificates == ["work_at_height"]


def test_feed_never_reaches_past_the_radius_cap(db: Session) -> None:
    worker = make_worker(db, radius_km=80)
    within, _beyond = job_at(db, north=0.18), job_at(db, north=0.55)  # 20 km, 61 km > 50 km cap
    assert feed_ids(db, worker) == [within.id]


# ---------------------------------------------------------------- order and reasons


def test_feed_of_equal_jobs_puts_the_nearest_first_with_distances_to_a_tenth(db: Session) -> None:
    worker = make_worker(db)
    mid, far, near = job_at(db, north=0.03), job_at(db, north=0.09), job_at(db, north=0.01)
    feed = feed_service.list_feed(session=db, worker_id=worker.id or 0, data=FeedFilter(), now=NOW)
    assert [i.job.id for i in feed.items] == [near.id, mid.id, far.id]
    assert [i.match.reason.distance_km for i in feed.items] == [1.1, 3.3, 10.0]
    scores = [i.match.score for i in feed.items]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    exact = haversine_km(LAT, LON, near.lat, near.lon)
    assert feed.items[0].match.reason.distance_km == round(exact, 1) != exact


def test_feed_puts_the_exact_trade_before_a_related_one(db: Session) -> None:
    decorator = make_worker(db, trades=(("decorator", 2),))
    related, exact = job_at(db, trade="painter"), job_at(db, trade="decorator")
    feed = feed_service.list_feed(
        session=db, worker_id=decorator.id or 0, data=FeedFilter(), now=NOW
    )
    assert [(i.job.id, i.match.reason.exact_trade) for i in feed.items] == [
        (exact.id, True),
        (related.id, False),
    ]
    assert feed.items[1].match.reason.trade == "painter"


def test_feed_marks_the_jobs_the_worker_already_applied_for(db: Session) -> None:
    worker = make_worker(db)
    applied, other = job_at(db, north=0.01), job_at(db, north=0.03)
    application_service.application_claim(
        session=db, job_id=applied.id or 0, worker=worker, now=NOW
    )
    feed = feed_service.list_feed(session=db, worker_id=worker.id or 0, data=FeedFilter(), now=NOW)
    assert {i.job.id: i.my_status for i in feed.items} == {applied.id: "applied", other.id: None}


def test_feed_with_a_limit_gives_only_the_best(db: Session) -> None:
    worker = make_worker(db)
    far, near, mid = job_at(db, north=0.09), job_at(db, north=0.01), job_at(db, north=0.03)
    assert feed_ids(db, worker, limit=2) == [near.id, mid.id]
    assert far.id not in feed_ids(db, worker, limit=2)


def test_reading_the_feed_writes_nothing(db: Session) -> None:
    worker = make_worker(db)
    job_at(db)
    before = snapshot(db)
    assert len(feed_ids(db, worker)) == 1
    assert snapshot(db) == before


# ---------------------------------------------------------------- filters


def test_feed_filtered_by_day_keeps_that_local_day_only(db: Session) -> None:
    worker = make_worker(db)
    today = job_at(db, start_at=local_at(0, 14), hours=6)
    tomorrow = job_at(db, start_at=local_at(1, 0))  # local midnight starts tomorrow
    later = job_at(db, start_at=local_at(3, 9))
    assert feed_ids(db, worker, day="today") == [today.id]
    assert feed_ids(db, worker, day="tomorrow") == [tomorrow.id]
    assert sorted(feed_ids(db, worker)) == sorted([today.id, tomorrow.id, later.id])


def test_feed_filtered_by_day_reads_the_day_in_the_markets_time_zone(db: Session) -> None:
    worker = make_worker(db)
    early = local_at(1, 6)  # Tuesday 06:00 in the market, still Monday in UTC
    tuesday, wednesday = job_at(db, start_at=local_at(1, 9)), job_at(db, start_at=local_at(2, 9))
    feed = feed_service.list_feed(
        session=db, worker_id=worker.id or 0, data=FeedFilter(day="today"), now=early
    )
    assert [i.job.id for i in feed.items] == [tuesday.id]
    feed = feed_service.list_feed(
        session=db, worker_id=worker.id or 0, data=FeedFilter(day="tomorrow"), now=early
    )
    assert [i.job.id for i in feed.items] == [wednesday.id]


def test_feed_filtered_by_trade_keeps_that_trade_only(db: Session) -> None:
    worker = make_worker(db, trades=(("painter", 2), ("mover", 1)))
    painting, moving = job_at(db, trade="painter"), job_at(db, trade="mover")
    assert feed_ids(db, worker, trade="搬运工") == [moving.id]  # an alias names the trade
    assert feed_ids(db, worker, trade="painter") == [painting.id]
    assert feed_ids(db, worker, trade="cook") == []  # not one of the worker's trades


def test_feed_filtered_by_distance_narrows_but_never_widens_the_radius(db: Session) -> None:
    worker = make_worker(db, radius_km=15)
    near, far = job_at(db, north=0.01), job_at(db, north=0.09)  # 1.1 km, 10 km
    _beyond = job_at(db, north=0.18)  # 20 km: past the worker's own radius
    assert feed_ids(db, worker, max_km=5) == [near.id]
    assert feed_ids(db, worker, max_km=50) == [near.id, far.id]


# ---------------------------------------------------------------- no feed yet


def test_feed_of_a_worker_without_trades_is_empty_and_asks_for_them(db: Session) -> None:
    worker = make_worker(db, trades=())
    job_at(db)
    feed = feed_service.list_feed(session=db, worker_id=worker.id or 0, data=FeedFilter(), now=NOW)
    assert feed.items == [] and feed.missing == ["trades"]


def test_feed_of_a_worker_without_a_place_is_empty_and_asks_for_one(db: Session) -> None:
    worker = make_worker(db)
    profile = db.get(WorkerProfile, worker.id)
    assert profile is not None
    profile.home_lat = profile.home_lon = None
    db.add(profile)
    job_at(db)
    feed = feed_service.list_feed(session=db, worker_id=worker.id or 0, data=FeedFilter(), now=NOW)
    assert feed.items == [] and feed.missing == ["location"]


def test_feed_of_a_worker_available_now_uses_where_they_are(db: Session) -> None:
    worker = make_worker(db)
    profile = db.get(WorkerProfile, worker.id)
    assert profile is not None
    profile.home_lat = profile.home_lon = None
    profile.available_now, profile.now_lat, profile.now_lon = True, LAT + 0.08, LON
    profile.now_until = NOW + timedelta(hours=12)
    db.add(profile)
    job = job_at(db, north=0.09, start_at=local_at(0, 12), hours=4)
    feed = feed_service.list_feed(session=db, worker_id=worker.id or 0, data=FeedFilter(), now=NOW)
    assert feed.missing == [] and [i.job.id for i in feed.items] == [job.id]
    assert feed.items[0].match.reason.distance_km == 1.1


def test_feed_of_an_unknown_worker_is_not_found(db: Session) -> None:
    employer = make_employer(db)  # an account, but no worker
    refused(
        db,
        lambda: feed_service.list_feed(
            session=db, worker_id=employer.id or 0, data=FeedFilter(), now=NOW
        ),
        NotFound,
        "Worker not found",
    )


# ---------------------------------------------------------------- candidates


def worker_at(session: Session, north: float, **fields: object) -> User:
    return make_worker(session, lat=LAT + north, lon=LON, **fields)  # type: ignore[arg-type]


def test_candidates_are_the_workers_who_fit_nearest_first(db: Session) -> None:
    job = make_job(db, lat=LAT, lon=LON, start_at=local_at(1, 9), wage=300)
    far, near, mid = worker_at(db, 0.07), worker_at(db, 0.003), worker_at(db, 0.02)
    worker_at(db, 0.001, trades=(("cook", 2),))
    worker_at(db, 0.001, min_wage=400)
    worker_at(db, 0.07, radius_km=5)  # 7.8 km away: past their own radius
    busy = worker_at(db, 0.001)
    hire(db, job=make_job(db, start_at=local_at(1, 12), instant=True), worker=busy, now=NOW)
    candidates = candidate_service.list_candidates(session=db, job=job, now=NOW)
    assert [c.view.user.id for c in candidates] == [near.id, mid.id, far.id]
    scores = [c.match.score for c in candidates]
    assert scores == sorted(scores, reverse=True)


def test_candidates_lacking_the_jobs_certificate_are_left_out(db: Session) -> None:
    job = make_job(db, lat=LAT, lon=LON, start_at=local_at(1, 9), trade="electrician")
    certified = worker_at(db, 0.02, trades=(("electrician", 2),), certificates=("electrician",))
    worker_at(db, 0.003, trades=(("electrician", 3),))  # the law wants the certificate
    candidates = candidate_service.list_candidates(session=db, job=job, now=NOW)
    assert [c.view.user.id for c in candidates] == [certified.id]


def test_candidates_show_only_distances_rounded_to_half_a_kilometre(db: Session) -> None:
    job = make_job(db, lat=LAT, lon=LON, start_at=local_at(1, 9))
    for north in (0.07, 0.003, 0.02):  # 7.78 km, 0.33 km, 2.22 km
        worker_at(db, north)
    candidates = candidate_service.list_candidates(session=db, job=job, now=NOW)
    assert [c.distance_km for c in candidates] == [0.5, 2.0, 8.0]
    # the reason an employer reads carries the same rounded figure, never the exact one
    assert [c.match.reason.distance_km for c in candidates] == [0.5, 2.0, 8.0]
    exact = [
        haversine_km(c.view.profile.home_lat or 0, c.view.profile.home_lon or 0, job.lat, job.lon)
        for c in candidates
    ]
    assert [c.distance_km for c in candidates] == [candidate_service.rounded_km(km) for km in exact]
    assert not any(c.distance_km == round(km, 1) for c, km in zip(candidates, exact, strict=True))
    assert all(set(c.match.extras) <= {"pair_score"} for c in candidates)


def test_candidates_are_cut_at_k(db: Session) -> None:
    job = make_job(db, lat=LAT, lon=LON, start_at=local_at(1, 9))
    near, mid = worker_at(db, 0.003), worker_at(db, 0.02)
    worker_at(db, 0.07)
    candidates = candidate_service.list_candidates(session=db, job=job, k=2, now=NOW)
    assert [c.view.user.id for c in candidates] == [near.id, mid.id]


@pytest.mark.parametrize(
    ("km", "shown"), [(0.0, 0.5), (0.1, 0.5), (0.74, 0.5), (1.3, 1.5), (2.224, 2.0), (7.78, 8.0)]
)
def test_a_distance_shown_to_an_employer_is_a_half_kilometre_never_below_one(
    km: float, shown: float
) -> None:
    assert candidate_service.rounded_km(km) == shown


# ---------------------------------------------------------------- trades


@pytest.mark.parametrize(
    ("trades", "jobs"),
    [
        ({"painter"}, {"painter"}),
        ({"decorator"}, {"decorator", "painter"}),
        ({"plumber"}, {"plumber", "electrician"}),
        ({"general"}, {"general", "loader", "mover", "sorter"}),
        ({"cook", "mover"}, {"cook", "mover", "loader"}),
        (set(), set()),
    ],
)
def test_job_trades_for_a_worker_are_their_own_and_the_related_ones(
    trades: set[str], jobs: set[str]
) -> None:
    assert feed_service.job_trades_for(trades) == jobs


def test_candidates_idle_longer_come_first_among_near_equals(db: Session) -> None:
    job = make_job(db, lat=LAT, lon=LON, start_at=local_at(1, 9))
    closer = worker_at(db, 0.010)  # 1.1 km: a hair better, but worked yesterday
    rested = worker_at(db, 0.012)  # 1.3 km, last worked eleven days ago
    for worker, days_ago in ((closer, 1), (rested, 12)):
        past = make_job(db, headcount=1, start_at=local_at(-days_ago, 8))
        hire(db, job=past, worker=worker, now=local_at(-days_ago, 8) - timedelta(days=1))
    far_rested = worker_at(db, 0.06)  # 6.7 km: clearly worse, however long idle
    far_rested.created_at = NOW - timedelta(days=300)
    candidates = candidate_service.list_candidates(session=db, job=job, now=NOW)
    assert [c.view.user.id for c in candidates] == [rested.id, closer.id, far_rested.id]
