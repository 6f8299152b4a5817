"""Assisted mode at the station: station staff register workers without a smartphone.

A station-staff account (role `station`) is tied to one station by union staff. Its staff
register a worker with the worker's consent (who, when and which station are kept), fill
their profile and claim jobs for them through the worker's own claim path. Such a worker
is told by SMS only. A station acts only for the workers it registered: to another
station's staff those workers do not exist.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from market.accounts import passwords as password_service
from market.accounts import service as account_service
from market.applications import service as application_service
from market.errors import N_, NotAllowed, NotFound
from market.events.service import event_record
from market.models import AssistedWorker, Role, Station, StationStaff, User
from market.notifications import service as notification_service
from market.notifications.schemas import PreferenceUpdate
from market.stations.schemas import (
    AssistedRegistration,
    StationPasswordReset,
    StationStaffCreate,
)
from market.types import utcnow


def station_staff_create(
    *, session: Session, station: Station, data: StationStaffCreate, by: User
) -> User:
    """A station-staff account for `station`, made by union staff member `by`."""
    user = account_service.account_create(
        session=session, phone=data.phone, password=data.password, name=data.name, role=Role.station
    )
    session.add(
        StationStaff(user_id=user.id or 0, station_id=station.id or 0, created_by=by.id or 0)
    )
    event_record(
        session=session,
        kind="station.staff_added",
        payload={"station": station.id, "user": user.id, "by": by.id},
    )
    session.flush()
    return user


def get_staff_station(*, session: Session, user: User) -> Station:
    """The station a station-staff account works at (NotAllowed for anyone else)."""
    link = session.get(StationStaff, user.id) if user.role == Role.station else None
    station = None if link is None else session.get(Station, link.station_id)
    if station is None or not station.active:
        raise NotAllowed(N_("This account is not attached to an open service station"))
    return station


def list_station_staff(*, session: Session) -> dict[int, list[User]]:
    """Every station's staff accounts, by station id."""
    rows = session.exec(
        select(StationStaff.station_id, User)
        .join(User, col(User.id) == col(StationStaff.user_id))
        .order_by(col(User.name))
    ).all()
    found: dict[int, list[User]] = {}
    for station_id, user in rows:
        found.setdefault(station_id, []).append(user)
    return found


def assisted_register(
    *, session: Session, staff: User, data: AssistedRegistration, now: datetime | None = None
) -> User:
    """Register a worker at the staff member's station, on the worker's consent; SMS only.

    The worker gets a random password nobody knows: the station sets one with them later.
    """
    now = now or utcnow()
    station = get_staff_station(session=session, user=staff)
    worker = account_service.account_create(
        session=session,
        phone=data.phone,
        password=secrets.token_urlsafe(24),
        name=data.name,
        role=Role.worker,
    )
    session.add(
        AssistedWorker(
            worker_id=worker.id or 0,
            station_id=station.id or 0,
            registered_by=staff.id or 0,
            consent_at=now,
        )
    )
    notification_service.preference_update(
        session=session,
        user_id=worker.id or 0,
        data=PreferenceUpdate(push=False, sms=True),
        now=now,
    )
    event_record(
        session=session,
        kind="worker.assisted",
        worker_id=worker.id,
        payload={"worker": worker.id, "station": station.id, "by": staff.id, "consent": True},
    )
    session.flush()
    return worker


def get_assisted_worker(*, session: Session, staff: User, worker_id: int) -> User:
    """A worker this staff member's station registered; any other is not found."""
    station = get_staff_station(session=session, user=staff)
    link = session.get(AssistedWorker, worker_id)
    worker = session.get(User, worker_id) if link and link.station_id == station.id else None
    if worker is None or worker.deleted_at is not None:
        raise NotFound(N_("Worker not found"))
    return worker


def list_assisted_workers(*, session: Session, station_id: int) -> Sequence[User]:
    """The workers a station registered, newest first."""
    return session.exec(
        select(User)
        .join(AssistedWorker, col(AssistedWorker.worker_id) == col(User.id))
        .where(AssistedWorker.station_id == station_id, col(User.deleted_at).is_(None))
        .order_by(col(AssistedWorker.consent_at).desc())
    ).all()


def assisted_claim(
    *,
    session: Session,
    staff: User,
    worker: User,
    job_id: int,
    terms_version: int | None = None,
    now: datetime | None = None,
) -> application_service.ClaimResult:
    """Claim or apply for the worker, with their consent, by the worker's own claim path."""
    result = application_service.application_claim(
        session=session, job_id=job_id, worker=worker, terms_version=terms_version, now=now
    )
    if result.created:
        event_record(
            session=session,
            kind="application.assisted",
            job_id=job_id,
            worker_id=worker.id,
            payload={"application": result.application.id, "by": staff.id},
        )
        session.flush()
    return result


def assisted_password_reset(
    *, session: Session, staff: User, worker: User, data: StationPasswordReset
) -> int:
    """Set a new password for a worker the station registered (their ID card seen in person).

    The worker's sessions all end and an SMS tells them; the event log names who did it.
    """
    station = get_staff_station(session=session, user=staff)
    worker = get_assisted_worker(session=session, staff=staff, worker_id=worker.id or 0)
    return password_service.password_reset_at_station(
        session=session,
        staff=staff,
        worker=worker,
        station_id=station.id or 0,
        password=data.password,
    )
