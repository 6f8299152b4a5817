"""New-job alerts on a controlled clock: a few a day by push, the rest in one 18:00 digest."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from market.db import make_engine, session_scope
from market.events import outbox as outbox_service
from market.models import AlertTally, Event, Rehire, User
from market.notifications import alerts as alert_service
from market.notifications import delivery as delivery_service
from market.notifications import service as notification_service
from market.notifications.schemas import PreferenceUpdate
from tests.factories import make_employer, make_worker
from tests.market.notifications.helpers import deliveries_of, has_phone, notes_of, race
from tests.market.notifications.test_push import deliver, subscribe
from tests.push_service import PushService
from tests.service_market import job_post
from web.i18n import translate

MORNING = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Yantai
SIX_PM = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 18:00 in Yantai
START = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)


def _market(engine: Engine, jobs: int, *, daily: int | None = None) -> tuple[int, int]:
    """A painter near Yantai and an employer who posts `jobs` painting jobs: (worker, far)."""
    with session_scope(engine) as session:
        worker = make_worker(session)
        has_phone(session, worker.id or 0)  # pushed alerts wait for the push pass
        far = make_worker(session, lat=31.2, lon=121.5)  # Shanghai: none suits him
        if daily is not None:
            notification_service.preference_update(
                session=session, user_id=worker.id or 0, data=PreferenceUpdate(daily_alerts=daily)
            )
        employer = make_employer(session)
        for i in range(jobs):
            job_post(session, employer, START + timedelta(days=i), now=MORNING)
        return worker.id or 0, far.id or 0


def _produce(engine: Engine, at: datetime) -> None:
    outbox_service.number_pending(engine=engine)
    with session_scope(engine) as session:
        notification_service.notifications_produce(session=session, now=at)


def _digest(engine: Engine, at: datetime) -> list[tuple[int, int]]:
    with session_scope(engine) as session:
        return alert_service.digests_send(session=session, now=at)


def _pushes(engine: Engine, user_id: int, kind: str = "job.posted") -> list[tuple[str, str]]:
    notes = {n.id: n.kind for n in notes_of(engine, user_id)}
    return [
        (d.status, d.error)
        for d in deliveries_of(engine, user_id)
        if d.channel == "push" and notes[d.notification_id] == kind
    ]


def test_past_five_a_day_new_jobs_are_held_for_the_inbox_and_counted(
    fresh_engine: Engine,
) -> None:
    worker_id, far_id = _market(fresh_engine, 7)

    _produce(fresh_engine, MORNING)

    notes = notes_of(fresh_engine, worker_id)
    assert [n.kind for n in notes] == ["job.posted"] * 7  # every one in the inbox
    assert notes[0].title == "A new job for you" and notes[0].url.startswith("/jobs/")
    assert notes[0].params["wage"] == 300 and notes[0].params["job"] == "刷墙"
    assert (
        _pushes(fresh_engine, worker_id)
        == [("pending", "")] * 5 + [("skipped", "held for the digest")] * 2
    )
    assert notes_of(fresh_engine, far_id) == []
    with Session(fresh_engine) as session:
        tally = session.get(AlertTally, (worker_id, MORNING.date()))
        assert tally is not None and (tally.alerted, tally.held) == (5, 2)


def test_the_days_count_carries_from_one_pass_to_the_next(fresh_engine: Engine) -> None:
    """A tally stored by an earlier pass is added to, not written over."""
    worker_id, _ = _market(fresh_engine, 3)
    _produce(fresh_engine, MORNING)
    with session_scope(fresh_engine) as session:
        employer = session.exec(select(User).where(User.role == "employer")).one()
        for i in range(3, 7):
            job_post(session, employer, START + timedelta(days=i), now=MORNING)

    _produce(fresh_engine, MORNING + timedelta(minutes=5))

    assert (
        _pushes(fresh_engine, worker_id)
        == [("pending", "")] * 5 + [("skipped", "held for the digest")] * 2
    )
    with Session(fresh_engine) as session:
        tally = session.get(AlertTally, (worker_id, MORNING.date()))
        assert tally is not None and (tally.alerted, tally.held) == (5, 2)


def test_a_regular_of_the_employer_hears_first_whatever_the_days_number(
    fresh_engine: Engine,
) -> None:
    with session_scope(fresh_engine) as session:
        employer, other = make_employer(session), make_employer(session, name="王老板")
        regular = make_worker(session)
        has_phone(session, regular.id or 0)
        notification_service.preference_update(
            session=session, user_id=regular.id or 0, data=PreferenceUpdate(daily_alerts=0)
        )
        session.add(Rehire(employer_id=employer.id or 0, worker_id=regular.id or 0))
        job_post(session, other, START, now=MORNING)
        job_post(session, employer, START + timedelta(days=1), now=MORNING)
        regular_id = regular.id or 0

    _produce(fresh_engine, MORNING)

    notes = {n.title: n for n in notes_of(fresh_engine, regular_id)}
    assert sorted(notes) == ["A new job for you", "An employer you worked for has a new job"]
    # the regular employer's job is pushed although the worker chose none a day; the other
    # employer's job waits for the digest
    assert _pushes(fresh_engine, regular_id) == [
        ("skipped", "held for the digest"),
        ("pending", ""),
    ]
    with Session(fresh_engine) as session:
        tally = session.get(AlertTally, (regular_id, MORNING.date()))
        assert tally is not None and (tally.alerted, tally.held) == (1, 1)


def test_a_job_posted_hours_before_the_pass_is_no_alert(fresh_engine: Engine) -> None:
    worker_id, _ = _market(fresh_engine, 2)
    _produce(fresh_engine, MORNING + timedelta(hours=3))  # the loop was down
    assert notes_of(fresh_engine, worker_id) == []


def test_the_notify_loop_writes_and_sends_the_digest_on_its_clock(fresh_engine: Engine) -> None:
    worker_id, _ = _market(fresh_engine, 6)
    clock = [MORNING]
    loop = functools.partial(
        delivery_service.notify_once,
        engine=fresh_engine,
        render=translate,
        sender=None,
        now=lambda: clock[0],
    )
    loop()
    for clock[0] in (SIX_PM - timedelta(minutes=1), SIX_PM, SIX_PM + timedelta(minutes=1)):
        loop()
    digests = [n for n in notes_of(fresh_engine, worker_id) if n.kind == "job.digest"]
    assert [n.params for n in digests] == [{"count": 1}]


def test_the_worker_chooses_how_many_and_within_a_range(fresh_engine: Engine) -> None:
    worker_id, _ = _market(fresh_engine, 3, daily=1)
    _produce(fresh_engine, MORNING)
    assert [s for s, _ in _pushes(fresh_engine, worker_id)] == ["pending", "skipped", "skipped"]

    for wrong in (-1, 21, "five"):
        with pytest.raises(ValidationError):
            PreferenceUpdate.model_validate({"daily_alerts": wrong})


def test_the_digest_fires_once_at_six_pm_and_survives_a_restart(fresh_engine: Engine) -> None:
    worker_id, _ = _market(fresh_engine, 8)
    _produce(fresh_engine, MORNING)

    assert _digest(fresh_engine, SIX_PM - timedelta(minutes=1)) == []
    # a restart: a new engine (a new process) finds the tally where the old one left it
    restarted = make_engine(fresh_engine.url.render_as_string(hide_password=False))
    try:
        assert _digest(restarted, SIX_PM) == [(worker_id, 3)]
        assert _digest(restarted, SIX_PM + timedelta(minutes=5)) == []
        assert _digest(restarted, SIX_PM + timedelta(hours=20)) == []  # next day: nothing held
    finally:
        restarted.dispose()

    _produce(fresh_engine, SIX_PM)
    [digest] = [n for n in notes_of(fresh_engine, worker_id) if n.kind == "job.digest"]
    assert (digest.title, digest.body) == (
        "New jobs for you",
        "{count} more new jobs suit you today",
    )
    assert (digest.params, digest.url, digest.urgent) == ({"count": 3}, "/feed", False)
    assert _pushes(fresh_engine, worker_id, "job.digest") == [("pending", "")]


def test_a_day_without_held_alerts_has_no_digest(fresh_engine: Engine) -> None:
    _market(fresh_engine, 5)
    _produce(fresh_engine, MORNING)
    assert _digest(fresh_engine, SIX_PM) == []


def test_a_digest_missed_while_down_comes_the_next_morning_only_once(
    fresh_engine: Engine,
) -> None:
    worker_id, _ = _market(fresh_engine, 6)
    _produce(fresh_engine, MORNING)
    next_morning = MORNING + timedelta(days=1)
    assert _digest(fresh_engine, next_morning) == [(worker_id, 1)]
    assert _digest(fresh_engine, next_morning + timedelta(hours=8)) == []
    assert _digest(fresh_engine, MORNING + timedelta(days=3)) == []


def test_the_digest_waits_for_the_end_of_quiet_hours(
    fresh_engine: Engine, push_service: PushService, sender: Any
) -> None:
    worker_id, _ = _market(fresh_engine, 6, daily=0)
    with session_scope(fresh_engine) as session:  # quiet from 17:00 to 07:00
        notification_service.preference_update(
            session=session, user_id=worker_id, data=PreferenceUpdate(quiet_from=17, quiet_to=7)
        )
    subscribe(fresh_engine, worker_id, push_service, "evening")
    _produce(fresh_engine, MORNING)
    assert deliver(fresh_engine, sender, MORNING)["sent"] == 0  # all six held for the digest

    assert _digest(fresh_engine, SIX_PM) == [(worker_id, 6)]
    _produce(fresh_engine, SIX_PM)
    assert deliver(fresh_engine, sender, SIX_PM)["sent"] == 0
    seven_am = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    assert deliver(fresh_engine, sender, seven_am)["sent"] == 1
    [got] = push_service.received
    assert (got.payload["title"], got.payload["url"]) == ("新活提醒", "/feed")
    assert got.payload["body"] == "今天还有 6 个新活适合你"
    assert deliver(fresh_engine, sender, seven_am + timedelta(hours=1))["sent"] == 0


def test_two_loops_racing_write_one_digest(fresh_engine: Engine) -> None:
    worker_ids = [_market(fresh_engine, 6)[0] for _ in range(2)]
    _produce(fresh_engine, MORNING)

    def run() -> None:
        for minute in range(3):
            _digest(fresh_engine, SIX_PM + timedelta(minutes=minute))

    race(run)

    with Session(fresh_engine) as session:
        digests = session.exec(
            select(Event.worker_id).where(Event.kind == "job.digest").order_by(col(Event.id))
        ).all()
        assert sorted(d or 0 for d in digests) == sorted(worker_ids)
        assert session.get(User, worker_ids[0]) is not None


def test_alerts_ranked_from_the_read_model_name_the_workers_the_database_names(
    fresh_engine: Engine,
) -> None:
    """A replica's notify loop ranks a new job's workers from its workers book (no database
    read per worker); it must alert exactly whom the database path alerts, in that order."""
    import random

    from market.feed.readmodel import FeedReadModel

    rng = random.Random(11)
    with session_scope(fresh_engine) as session:
        for _ in range(60):
            make_worker(
                session,
                trades=((rng.choice(("painter", "plasterer", "mover")), rng.randint(1, 3)),),
                lat=31.2 if rng.random() < 0.1 else 37.46 + rng.uniform(-0.15, 0.15),
                lon=121.44 + rng.uniform(-0.15, 0.15),
                radius_km=rng.choice((5, 15, 30)),
                min_wage=rng.choice((0, 280, 350)),
            )
        employer = make_employer(session)
        for i in range(4):
            job_post(session, employer, START + timedelta(days=i), now=MORNING)
    outbox_service.number_pending(engine=fresh_engine)
    model = FeedReadModel(fresh_engine)
    model.build()
    with Session(fresh_engine) as session:
        events = list(session.exec(select(Event).where(Event.kind == alert_service.KIND)))

        def alerted(with_model: FeedReadModel | None) -> dict[int, list[int]]:
            drafts = alert_service.alert_drafts(
                session=session, events=events, now=MORNING, model=with_model
            )
            return {event_id: [d.user_id for d in found] for event_id, found in drafts.items()}

        from_database = alerted(None)
        assert len(from_database) == 4 and all(len(ids) >= 5 for ids in from_database.values())
        assert alerted(model) == from_database
