"""Assisted mode at the station: station staff register, act for and reset their own workers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, select

from market.accounts import service as account_service
from market.errors import Conflict, NotAllowed, NotFound
from market.models import (
    Application,
    AssistedWorker,
    NotifyPreference,
    Role,
    StationStaff,
    User,
    UserSession,
)
from market.notifications import sms as sms_service
from market.stations import assisted as assisted_service
from market.stations import views as station_views
from market.stations.schemas import (
    AssistedRegistration,
    StationPasswordReset,
    StationStaffCreate,
)
from market.stats import assisted as assisted_stats
from tests.factories import (
    PASSWORD,
    make_assisted_worker,
    make_job,
    make_staff,
    make_station,
    make_station_staff,
    make_worker,
    next_phone,
)
from tests.market.service_helpers import events_after, hire, last_event_id, refused


def _register(session: Session, staff: User, phone: str | None = None) -> User:
    data = AssistedRegistration(phone=phone or next_phone(), name="老孙", consent=True)
    return assisted_service.assisted_register(session=session, staff=staff, data=data)


def test_union_staff_make_a_station_staff_account_tied_to_the_station(db: Session) -> None:
    station, union = make_station(db), make_staff(db)
    data = StationStaffCreate(phone=next_phone(), name="驿站小刘", password="station-pass-1")
    user = assisted_service.station_staff_create(session=db, station=station, data=data, by=union)
    assert user.role == Role.station
    link = db.get(StationStaff, user.id)
    assert link is not None and (link.station_id, link.created_by) == (station.id, union.id)
    assert assisted_service.get_staff_station(session=db, user=user).id == station.id
    assert account_service.user_authenticate(
        session=db, phone=data.phone, password="station-pass-1"
    )


def test_a_registered_worker_keeps_the_consent_and_gets_sms_only(db: Session) -> None:
    station = make_station(db)
    staff = make_station_staff(db, station=station)
    since = last_event_id(db)
    phone = next_phone()
    worker = _register(db, staff, phone)
    link = db.get(AssistedWorker, worker.id)
    assert link is not None
    assert (link.station_id, link.registered_by) == (station.id, staff.id)
    assert link.consent_at is not None
    pref = db.get(NotifyPreference, worker.id)
    assert pref is not None and (pref.push, pref.sms) == (False, True)
    kinds = {e.kind: e.payload for e in events_after(db, since)}
    assert kinds["worker.assisted"]["by"] == staff.id
    assert kinds["worker.assisted"]["station"] == station.id
    assert [
        w.id for w in assisted_service.list_assisted_workers(session=db, station_id=station.id or 0)
    ] == [worker.id]


def test_registration_without_the_workers_consent_is_refused() -> None:
    with pytest.raises(ValidationError) as raised:
        AssistedRegistration(phone="13800138000", name="老孙", consent=False)
    assert "agree" in str(raised.value)


def test_registering_a_phone_already_registered_is_refused_and_writes_nothing(
    db: Session,
) -> None:
    staff = make_station_staff(db, station=make_station(db))
    taken = make_worker(db).phone
    data = AssistedRegistration(phone=taken, name="老孙", consent=True)
    refused(
        db,
        lambda: assisted_service.assisted_register(session=db, staff=staff, data=data),
        Conflict,
        "This phone number is already registered; log in instead",
    )


def test_only_station_staff_of_an_open_station_register_workers(db: Session) -> None:
    closed = make_station_staff(db, station=make_station(db, active=False))
    data = AssistedRegistration(phone=next_phone(), name="老孙", consent=True)
    for user in (make_staff(db), make_worker(db), closed):
        refused(
            db,
            lambda user=user: assisted_service.assisted_register(session=db, staff=user, data=data),
            NotAllowed,
            "This account is not attached to an open service station",
        )


def test_another_stations_staff_cannot_see_the_worker(db: Session) -> None:
    mine = make_station_staff(db, station=make_station(db))
    theirs = make_station_staff(db, station=make_station(db, name="莱山驿站"))
    worker = make_assisted_worker(db, staff=mine)
    plain = make_worker(db)
    assert assisted_service.get_assisted_worker(session=db, staff=mine, worker_id=worker.id or 0)
    for staff, worker_id in ((theirs, worker.id), (mine, plain.id), (mine, 10**9)):
        with pytest.raises(NotFound):
            assisted_service.get_assisted_worker(session=db, staff=staff, worker_id=worker_id or 0)


def test_the_station_claims_through_the_workers_own_claim_path(db: Session) -> None:
    staff = make_station_staff(db, station=make_station(db))
    worker = make_assisted_worker(db, staff=staff)
    job = make_job(db, instant=True, headcount=1)
    since = last_event_id(db)
    result = assisted_service.assisted_claim(
        session=db, staff=staff, worker=worker, job_id=job.id or 0
    )
    assert result.created and result.application.status == "confirmed"
    assert result.application.worker_id == worker.id
    kinds = [e.kind for e in events_after(db, since)]
    assert "application.created" in kinds and "application.assisted" in kinds
    other = make_assisted_worker(db, staff=staff, name="老赵")
    refused(  # the same answer the worker's own claim gets
        db,
        lambda: assisted_service.assisted_claim(
            session=db, staff=staff, worker=other, job_id=job.id or 0
        ),
        Conflict,
        "This job is full",
    )


def test_the_slip_shows_the_employers_phone_only_once_hired(db: Session) -> None:
    staff = make_station_staff(db, station=make_station(db))
    worker = make_assisted_worker(db, staff=staff)
    job = make_job(db)
    assert station_views.get_slip(session=db, worker=worker, job=job).employer_phone is None
    assisted_service.assisted_claim(session=db, staff=staff, worker=worker, job_id=job.id or 0)
    assert station_views.get_slip(session=db, worker=worker, job=job).employer_phone is None
    hire(db, job=job, worker=worker, now=job.created_at)
    slip = station_views.get_slip(session=db, worker=worker, job=job)
    assert slip.employer_phone is not None and slip.application is not None


def test_a_station_reset_ends_every_session_texts_the_worker_and_is_logged(db: Session) -> None:
    staff = make_station_staff(db, station=make_station(db))
    worker = make_assisted_worker(db, staff=staff)
    account_service.session_create(session=db, user=worker)
    account_service.session_create(session=db, user=worker)
    since = last_event_id(db)
    data = StationPasswordReset(password="new-secret-9", id_checked=True)
    ended = assisted_service.assisted_password_reset(
        session=db, staff=staff, worker=worker, data=data
    )
    assert ended == 2
    assert db.exec(select(UserSession).where(col(UserSession.user_id) == worker.id)).all() == []
    assert account_service.user_authenticate(
        session=db, phone=worker.phone, password="new-secret-9"
    )
    assert not account_service.password_matches(worker, PASSWORD)
    texts = sms_service.list_messages(session=db, phone=worker.phone)
    assert [t.template_id for t in texts] == ["password_changed"]
    logged = [e for e in events_after(db, since) if e.kind == "password.station_reset"]
    assert len(logged) == 1 and logged[0].payload["by"] == staff.id
    assert logged[0].payload["id_checked"] is True


def test_a_reset_needs_the_id_card_checked() -> None:
    with pytest.raises(ValidationError) as raised:
        StationPasswordReset(password="new-secret-9", id_checked=False)
    assert "ID card" in str(raised.value)


def test_another_stations_staff_cannot_reset_the_password(db: Session) -> None:
    mine = make_station_staff(db, station=make_station(db))
    theirs = make_station_staff(db, station=make_station(db, name="莱山驿站"))
    worker = make_assisted_worker(db, staff=mine)
    data = StationPasswordReset(password="new-secret-9", id_checked=True)
    refused(
        db,
        lambda: assisted_service.assisted_password_reset(
            session=db, staff=theirs, worker=worker, data=data
        ),
        NotFound,
        "Worker not found",
    )


def test_assisted_placements_count_hires_of_station_workers_by_station(db: Session) -> None:
    one, two = make_station(db), make_station(db, name="莱山驿站")
    staff_one, staff_two = make_station_staff(db, station=one), make_station_staff(db, station=two)
    job = make_job(db, headcount=5)
    before = assisted_stats.assisted_placements(session=db)
    for worker in (
        make_assisted_worker(db, staff=staff_one),
        make_assisted_worker(db, staff=staff_one),
    ):
        hire(db, job=job, worker=worker, now=job.created_at)
    assisted_service.assisted_claim(  # applied, not hired: not a placement
        session=db,
        staff=staff_two,
        worker=make_assisted_worker(db, staff=staff_two),
        job_id=job.id or 0,
    )
    hire(db, job=job, worker=make_worker(db), now=job.created_at)  # not assisted
    after = assisted_stats.assisted_placements(session=db)
    assert after.get(one.id or 0, 0) - before.get(one.id or 0, 0) == 2
    assert after.get(two.id or 0, 0) == before.get(two.id or 0, 0)
    assert db.exec(select(Application).where(Application.job_id == job.id)).all()
