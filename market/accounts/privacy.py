"""A user's own data: everything about them as JSON, and deleting the account.

Deleting erases what identifies the person (name, legal name and ID number, phone,
password, locations, trades, free-text comments, an employer's licence photo) but keeps the
market's history rows (applications, ratings' stars, jobs, reports to the union) so
statistics and other people's records stay consistent.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, or_, select

from market.accounts import logins
from market.applications import service as application_service
from market.dispatch import service as dispatch_service
from market.errors import N_, Conflict, NotAllowed
from market.events.service import event_record
from market.learning import impressions as impression_service
from market.models import (
    Application,
    ApplicationStatus,
    Attendance,
    AvailableDay,
    DispatchProposal,
    EmployerLicence,
    EmployerProfile,
    IdempotencyRecord,
    Impression,
    Job,
    JobStatus,
    Membership,
    Payment,
    Rating,
    Report,
    Role,
    User,
    UserSession,
    WeeklyAvailability,
    WorkAnswer,
    WorkerCertificate,
    WorkerProfile,
    WorkerTaste,
    WorkerTrade,
)
from market.types import utcnow
from market.workers import identity as identity_service

DELETED_REASON = "account deleted"


def _rows(rows: Iterable[Any], *, exclude: set[str] | None = None) -> list[dict[str, Any]]:
    return [row.model_dump(mode="json", exclude=exclude) for row in rows]


def export_user_data(*, session: Session, user: User) -> dict[str, Any]:
    """Everything the market keeps about `user` (not the password hash), as plain JSON."""
    uid = user.id or 0
    data: dict[str, Any] = {
        "exported_at": utcnow().isoformat(),
        "account": user.model_dump(mode="json", exclude={"password_hash"}),
    }
    worker = session.get(WorkerProfile, uid)
    if worker is not None:
        data["worker_profile"] = worker.model_dump(mode="json", exclude={"lock_version"})
        for name, model in (
            ("trades", WorkerTrade),
            ("certificates", WorkerCertificate),
            ("weekly_availability", WeeklyAvailability),
            ("available_days", AvailableDay),
        ):
            data[name] = _rows(session.exec(select(model).where(model.worker_id == uid)))  # type: ignore[attr-defined]
        # what the feed showed them (kept 90 days) and their fitted taste, if any
        data["feed_impressions"] = _rows(
            session.exec(select(Impression).where(Impression.worker_id == uid))
        )
        taste = session.get(WorkerTaste, uid)
        data["feed_taste"] = taste.model_dump(mode="json") if taste else None
    identity = identity_service.get_identity(session=session, worker_id=uid)
    data["identity"] = (
        {"legal_name": identity.legal_name, "id_number": identity.id_number} if identity else None
    )
    employer = session.get(EmployerProfile, uid)
    if employer is not None:
        data["employer_profile"] = employer.model_dump(mode="json")
        licence = session.get(EmployerLicence, uid)
        data["licence_photo"] = (
            {
                "content_type": licence.content_type,
                "uploaded_at": licence.uploaded_at.isoformat(),
                "data_base64": base64.b64encode(licence.data).decode(),
            }
            if licence
            else None
        )
        data["jobs_posted"] = _rows(session.exec(select(Job).where(Job.employer_id == uid)))
    applications = session.exec(
        select(Application, Job).join(Job).where(Application.worker_id == uid)
    ).all()
    data["applications"] = [
        {**a.model_dump(mode="json"), "job_title": j.title, "job_address": j.address}
        for a, j in applications
    ]
    data["ratings_given"] = _rows(session.exec(select(Rating).where(Rating.from_user_id == uid)))
    data["ratings_received"] = _rows(session.exec(select(Rating).where(Rating.to_user_id == uid)))
    data["reports"] = _rows(session.exec(select(Report).where(Report.worker_id == uid)))
    membership = session.get(Membership, uid)
    data["membership"] = membership.model_dump(mode="json") if membership else None
    data["dispatch_proposals"] = _rows(
        session.exec(select(DispatchProposal).where(DispatchProposal.worker_id == uid))
    )
    # the work record: my attendance, payments to me or by me, my answers
    data["attendance"] = _rows(session.exec(select(Attendance).where(Attendance.worker_id == uid)))
    data["payments"] = _rows(
        session.exec(
            select(Payment).where(or_(Payment.worker_id == uid, Payment.employer_id == uid))
        )
    )
    data["work_answers"] = _rows(
        session.exec(select(WorkAnswer).where(WorkAnswer.answered_by == uid))
    )
    return data


def account_delete(*, session: Session, user: User, now: datetime | None = None) -> None:
    """Delete my account: refused while I have confirmed work not yet over."""
    now = now or utcnow()
    uid = user.id or 0
    if user.role == Role.staff:
        raise NotAllowed(N_("Union staff accounts are closed by the union office"))
    _check_nothing_active(session, user, now)
    pending = session.exec(
        select(Application).where(
            Application.worker_id == uid, Application.status == ApplicationStatus.applied
        )
    ).all()
    for application in pending:  # employers stop seeing a person who is gone
        application_service.application_cancel(
            session=session, application=application, user=user, reason=DELETED_REASON, now=now
        )
    dispatch_service.proposals_release(session=session, worker_id=uid, now=now)
    worker = session.get(WorkerProfile, uid)
    if worker is not None:
        worker.home_lat = worker.home_lon = worker.now_lat = worker.now_lon = None
        worker.now_until, worker.available_now = None, False
        worker.updated_at = now  # their trades go: the statistics rollup re-reads them
        session.add(worker)
        for model in (WorkerTrade, WorkerCertificate, WeeklyAvailability, AvailableDay):
            session.exec(delete(model).where(col(model.worker_id) == uid))  # type: ignore[attr-defined]
    identity_service.identity_remove(session=session, worker_id=uid)
    impression_service.impressions_forget(session=session, worker_id=uid)
    employer = session.get(EmployerProfile, uid)
    if employer is not None:
        employer.org_name = ""
        session.add(employer)
        session.exec(delete(EmployerLicence).where(col(EmployerLicence.employer_id) == uid))
    for rating in session.exec(select(Rating).where(Rating.from_user_id == uid)):
        rating.comment = ""
        session.add(rating)
    session.exec(delete(UserSession).where(col(UserSession.user_id) == uid))
    logins.ended(session=session, user_id=uid)
    session.exec(delete(IdempotencyRecord).where(col(IdempotencyRecord.user_id) == uid))
    user.name = ""
    user.phone = f"deleted-{uid}"
    user.password_hash = "!" + secrets.token_hex(16)  # matches no password
    user.is_active = False
    user.deleted_at = now
    session.add(user)
    event_record(session=session, kind="user.deleted", payload={"role": user.role})
    session.flush()


def _check_nothing_active(session: Session, user: User, now: datetime) -> None:
    uid = user.id or 0
    hired = session.exec(
        select(Application.id).where(
            Application.worker_id == uid,
            Application.status == ApplicationStatus.confirmed,
            Application.shift_end > now,
        )
    ).first()
    if hired is not None:
        raise Conflict(
            N_("Cancel your confirmed work that is not over yet, then delete your account")
        )
    running = session.exec(
        select(Job.id).where(
            Job.employer_id == uid,
            or_(col(Job.status) == JobStatus.open, col(Job.status) == JobStatus.filled),
            Job.end_at > now,
        )
    ).first()
    if running is not None:
        raise Conflict(N_("Cancel your open or staffed jobs first, then delete your account"))
