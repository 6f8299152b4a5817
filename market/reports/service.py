"""Wage-arrears and scam reports, and the employer reliability workers see.

A report's photo is stored in the database (`report_photo`), not on disk: the production
set-up runs several app replicas without a shared volume, and a 2 MB cap keeps rows small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, SQLModel, col, select

from market import paging
from market.errors import N_, Conflict, Invalid, NotFound
from market.events.service import event_record
from market.i18n import local
from market.models import (
    UPHELD_OUTCOMES,
    Application,
    ApplicationStatus,
    EmployerProfile,
    Job,
    JobStatus,
    Report,
    ReportKind,
    ReportNote,
    ReportOutcome,
    ReportPhoto,
    ReportStatus,
    User,
)
from market.paging import DEFAULT_LIMIT, Page
from market.reliability.employers import active_employer_strikes
from market.types import utcnow
from market.work import standing as work_standing

MAX_PHOTO_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
# who may report what: unpaid wages need a hire; a fake job may be reported by any applicant
REPORTABLE = {
    ReportKind.unpaid: (
        ApplicationStatus.confirmed,
        ApplicationStatus.completed,
        ApplicationStatus.no_show,
    ),
    ReportKind.fake_job: (
        ApplicationStatus.applied,
        ApplicationStatus.confirmed,
        ApplicationStatus.completed,
        ApplicationStatus.no_show,
        ApplicationStatus.cancelled,
    ),
}


@dataclass(frozen=True)
class Photo:
    content_type: str
    data: bytes


def photo_check(data: bytes) -> Photo:
    """The photo if it is a JPEG or PNG (by its first bytes) of at most 2 MB, else Invalid."""
    if len(data) > MAX_PHOTO_BYTES:
        raise Invalid(N_("The photo may be at most 2 MB"), field="photo")
    for magic, content_type in PHOTO_TYPES.items():
        if data.startswith(magic):
            return Photo(content_type=content_type, data=data)
    raise Invalid(N_("The photo must be a JPEG or PNG image"), field="photo")


def job_record(job: Job, application: Application, employer: User) -> dict[str, object]:
    """The job and the hire as they stand, kept in a report (local times, ISO 8601)."""

    def iso(moment: datetime | None) -> str | None:
        return None if moment is None else local(moment).isoformat()

    return {
        "job": job.id,
        "title": job.title,
        "trade": job.trade,
        "address": job.address,
        "district": job.district,
        "posted_at": iso(job.created_at),
        "shift_start": iso(job.start_at),
        "shift_end": iso(job.end_at),
        "wage": job.wage,
        "job_status": job.status,
        "employer": {"id": employer.id, "name": employer.name, "phone": employer.phone},
        "application": application.id,
        "application_status": application.status,
        "applied_at": iso(application.created_at),
        "confirmed_at": iso(application.decided_at),
    }


def report_create(
    *,
    session: Session,
    worker: User,
    job_id: int,
    kind: str,
    agreed_wage: int,
    work_from: date,
    work_to: date,
    description: str = "",
    photo: Photo | None = None,
    now: datetime | None = None,
) -> Report:
    """A worker reports unpaid wages or a fake job; the job record is attached as it stands."""
    now = now or utcnow()
    if kind not in REPORTABLE:
        raise Invalid(N_("Choose what happened: unpaid wages or a fake job"), field="kind")
    if work_to < work_from:
        raise Invalid(N_("The last working day cannot be before the first"), field="work_to")
    if work_from > local(now).date():
        raise Invalid(N_("The working days cannot be in the future"), field="work_from")
    job = session.get(Job, job_id)
    application = session.exec(
        select(Application).where(Application.job_id == job_id, Application.worker_id == worker.id)
    ).first()
    if job is None or application is None:
        raise NotFound(N_("You can report only a job you applied for"))
    never_hired = (
        application.status == ApplicationStatus.cancelled and application.decided_at is None
    )
    if application.status not in REPORTABLE[ReportKind(kind)] or never_hired:
        raise Conflict(N_("You can report unpaid wages only for a job you were hired for"))
    if kind == ReportKind.unpaid and job.start_at > now:
        raise Conflict(N_("The shift has not started yet"))
    already = session.exec(
        select(Report.id).where(
            Report.job_id == job_id,
            Report.worker_id == worker.id,
            Report.status != ReportStatus.resolved,
        )
    ).first()
    if already is not None:
        raise Conflict(N_("You have already reported this job; the union is handling it"))
    employer = session.get(User, job.employer_id)
    assert employer is not None and worker.id is not None
    report = Report(
        worker_id=worker.id,
        employer_id=job.employer_id,
        job_id=job_id,
        application_id=application.id or 0,
        kind=kind,
        agreed_wage=agreed_wage,
        work_from=work_from,
        work_to=work_to,
        description=description,
        has_photo=photo is not None,
        job_record=job_record(job, application, employer),
        created_at=now,
        updated_at=now,
    )
    session.add(report)
    session.flush()
    if photo is not None:
        session.add(
            ReportPhoto(report_id=report.id or 0, content_type=photo.content_type, data=photo.data)
        )
    event_record(
        session=session,
        kind="report.created",
        job_id=job_id,
        worker_id=worker.id,
        payload={"report": report.id, "kind": kind},
    )
    session.flush()
    return report


def get_report(*, session: Session, report_id: int) -> Report:
    """The report, or NotFound."""
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound(N_("Report not found"))
    return report


def get_report_photo(*, session: Session, report_id: int) -> ReportPhoto:
    """The report's photo, or NotFound."""
    photo = session.get(ReportPhoto, report_id)
    if photo is None:
        raise NotFound(N_("This report has no photo"))
    return photo


def list_reports(
    *,
    session: Session,
    status: str | None = None,
    after: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[tuple[Report, User, User]]:
    """A page of the staff queue: reports with worker and employer, unresolved oldest first."""
    worker, employer = aliased(User), aliased(User)
    query = (
        select(Report, worker, employer)
        .join(worker, col(worker.id) == col(Report.worker_id))
        .join(employer, col(employer.id) == col(Report.employer_id))
    )
    if status is not None:
        query = query.where(Report.status == status)
    resolved_last = case((col(Report.status) == ReportStatus.resolved, 1), else_=0)
    limit, order = paging.clamp(limit), (resolved_last, col(Report.created_at), col(Report.id))
    if after is not None:
        query = query.where(paging.beyond(order, paging.decode(after, int, datetime, int)))
    rows = session.exec(query.order_by(*order).limit(limit + 1)).all()
    return paging.page_of(rows, limit, _queue_key)


def _queue_key(row: tuple[Report, User, User]) -> tuple[int, datetime, int]:
    report = row[0]
    return int(report.status == ReportStatus.resolved), report.created_at, report.id or 0


def list_all_reports(*, session: Session) -> list[tuple[Report, User, User]]:
    """Every report in queue order, page after page (for the CSV export)."""
    rows: list[tuple[Report, User, User]] = []
    cursor: str | None = None
    while True:
        page = list_reports(session=session, after=cursor, limit=paging.MAX_LIMIT)
        rows += page.items
        if (cursor := page.next) is None:
            return rows


def list_worker_reports(*, session: Session, worker_id: int) -> Sequence[Report]:
    """A worker's own reports, newest first."""
    return session.exec(
        select(Report).where(Report.worker_id == worker_id).order_by(col(Report.created_at).desc())
    ).all()


def list_report_notes(*, session: Session, report_id: int) -> Sequence[ReportNote]:
    return session.exec(
        select(ReportNote).where(ReportNote.report_id == report_id).order_by(col(ReportNote.id))
    ).all()


def report_note_add(
    *, session: Session, report: Report, staff: User, text: str, now: datetime | None = None
) -> ReportNote:
    """Staff log a contact with either side; an open report moves to "in progress"."""
    now = now or utcnow()
    if report.status == ReportStatus.resolved:
        raise Conflict(N_("This report is already resolved"))
    assert staff.id is not None and report.id is not None
    note = ReportNote(report_id=report.id, staff_id=staff.id, text=text, created_at=now)
    session.add(note)
    report.status, report.handled_by, report.updated_at = ReportStatus.in_progress, staff.id, now
    session.add(report)
    event_record(
        session=session,
        kind="report.updated",
        job_id=report.job_id,
        worker_id=report.worker_id,
        payload={"report": report.id, "status": report.status},
    )
    session.flush()
    return note


def report_resolve(
    *,
    session: Session,
    report: Report,
    staff: User,
    outcome: str,
    note: str = "",
    now: datetime | None = None,
) -> Report:
    """Record how the report ended: paid, mediated, referred to legal aid, or unfounded."""
    now = now or utcnow()
    if outcome not in set(ReportOutcome):
        raise Invalid(N_("Choose an outcome from the list"), field="outcome")
    if report.status == ReportStatus.resolved:
        raise Conflict(N_("This report is already resolved"))
    report.status, report.outcome, report.outcome_note = ReportStatus.resolved, outcome, note
    report.handled_by, report.resolved_at, report.updated_at = staff.id, now, now
    session.add(report)
    event_record(
        session=session,
        kind="report.resolved",
        job_id=report.job_id,
        worker_id=report.worker_id,
        employer_id=report.employer_id,
        payload={"report": report.id, "outcome": outcome},
    )
    session.flush()
    return report


class EmployerReliability(SQLModel):
    # the fields the API shows as they are (web's ReliabilityOut derives from this set)
    employer_id: int
    name: str
    verified: bool
    late_cancellations: int  # late call-offs that still count (market/reliability/employers)
    unpaid_reports_upheld: int
    fake_job_reports_upheld: int
    jobs_completed: int
    rating: float | None
    rating_count: int
    # the work record: open unpaid-wage cases (有未结工钱), and the share of finished hires
    # confirmed paid in full in time (None before the first)
    open_unpaid_cases: int = 0
    on_time_pay_rate: float | None = None
    finished_hires: int = 0


def get_employer_reliability(*, session: Session, employer_id: int) -> EmployerReliability:
    """What workers may know of an employer's record before taking their job."""
    employer = session.get(EmployerProfile, employer_id)
    if employer is None:
        raise NotFound(N_("Employer not found"))
    upheld = col(Report.outcome).in_(UPHELD_OUTCOMES)
    unpaid, fake = session.exec(  # type: ignore[call-overload]
        select(
            func.coalesce(
                func.sum(case((upheld & (col(Report.kind) == ReportKind.unpaid), 1), else_=0)), 0
            ),
            func.coalesce(
                func.sum(case((upheld & (col(Report.kind) == ReportKind.fake_job), 1), else_=0)), 0
            ),
        ).where(Report.employer_id == employer_id)
    ).one()
    completed = session.exec(
        select(func.count())
        .select_from(Job)
        .where(Job.employer_id == employer_id, Job.status == JobStatus.completed)
    ).one()
    pay = work_standing.get_pay_record(session=session, employer_id=employer_id)
    return EmployerReliability(
        employer_id=employer_id,
        name=employer.org_name,
        verified=employer.verified,
        late_cancellations=active_employer_strikes(session=session, employer_ids=[employer_id])[
            employer_id
        ],
        unpaid_reports_upheld=int(unpaid),
        fake_job_reports_upheld=int(fake),
        jobs_completed=int(completed),
        rating=round(employer.rating_sum / employer.rating_count, 2)
        if employer.rating_count
        else None,
        rating_count=employer.rating_count,
        open_unpaid_cases=pay.open_cases,
        on_time_pay_rate=pay.on_time_rate,
        finished_hires=pay.finished,
    )
