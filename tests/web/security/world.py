"""A small market where every path id of the app names a real row, each with an owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy import func, select
from sqlmodel import Session

from market.accounts import service as accounts
from market.applications import terms as terms_service
from market.models import (
    Application,
    Attendance,
    Block,
    DispatchProposal,
    EmployerLicence,
    Event,
    Invite,
    Job,
    Membership,
    Notification,
    Payment,
    Rehire,
    Report,
    ReportPhoto,
    Standby,
    Station,
    Strike,
    StrikeAppeal,
    StrikeKind,
    User,
    WageFloor,
    metadata,
)
from tests.factories import (
    make_assisted_worker,
    make_employer,
    make_job,
    make_staff,
    make_station,
    make_station_staff,
    make_worker,
)

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class World:
    worker: User
    other_worker: User
    employer: User
    other_employer: User
    staff: User
    job: Job  # the employer's; the worker applied
    other_job: Job  # the other employer's; nobody here applied
    application: Application
    report: Report
    proposal: DispatchProposal
    station: Station
    hire: Application  # the worker's hire on the employer's job of yesterday: a work record
    entry: Attendance  # its check-in, recorded by the employer (the worker may answer it)
    payment: Payment  # its payment, recorded by the employer (the worker may answer it)
    floor: WageFloor
    note: Notification  # the worker's "you are hired" in the inbox
    standby: Standby  # the worker waits for a place on the other employer's job
    strike: Strike  # the worker's no-show on the hire, appealed
    appeal: StrikeAppeal
    station_staff: User  # works at `station`, which registered `assisted`
    other_station_staff: User  # works at another station
    assisted: User  # a worker without a smartphone, registered at `station`
    invite: Invite  # the employer invited the worker to its job (they had applied already)

    def path_ids(self, template: str = "") -> dict[str, str]:
        """A value for every path parameter of the app (owned by `worker` / `employer`)."""
        user = self.employer if "/employers/" in template else self.other_worker
        if "/my/blocks/" in template:  # the worker blocked the other employer
            user = self.other_employer
        return {
            "job_id": str(self.job.id),
            "application_id": str(self.application.id),
            "proposal_id": str(self.proposal.id),
            "employer_id": str(self.employer.id),
            "report_id": str(self.report.id),
            "user_id": str(user.id),
            "station_id": str(self.station.id),
            "record_id": str(self.hire.id),
            "entry_id": str(self.entry.id),
            "payment_id": str(self.payment.id),
            "floor_id": str(self.floor.id),
            "notification_id": str(self.note.id),
            "standby_id": str(self.standby.id),
            "strike_id": str(self.strike.id),
            "appeal_id": str(self.appeal.id),
            # registered at `station`, and on the employer's rehire list
            "worker_id": str(self.assisted.id),
            "invite_id": str(self.invite.id),
            "by": "trade",
            "table": "jobs",
            "code": "en",
        }

    def users(self) -> dict[str, User]:
        return {"worker": self.worker, "employer": self.employer, "staff": self.staff}


def make_world(session: Session) -> World:
    worker, other_worker = make_worker(session), make_worker(session, name="赵师傅")
    employer, other_employer = make_employer(session), make_employer(session, name="周老板")
    staff = make_staff(session)
    job = make_job(session, employer=employer)
    other_job = make_job(session, employer=other_employer)
    application = Application(
        job_id=job.id or 0,
        worker_id=worker.id or 0,
        status="applied",
        shift_start=job.start_at,
        shift_end=job.end_at,
        **terms_service.terms_of(job, now=job.created_at),
    )
    session.add(application)
    session.flush()
    today = date.today()
    report = Report(
        worker_id=worker.id or 0,
        employer_id=employer.id or 0,
        job_id=job.id or 0,
        application_id=application.id or 0,
        kind="wage_arrears",
        agreed_wage=300,
        work_from=today - timedelta(days=2),
        work_to=today - timedelta(days=1),
        has_photo=True,
    )
    proposal = DispatchProposal(
        job_id=other_job.id or 0,
        worker_id=worker.id or 0,
        day=today,
        score=0.5,
        sent_by=staff.id or 0,
    )
    station = Station(name="芝罘驿站", address="南大街 1 号", lat=37.54, lon=121.26)
    # one floor per trade and district: a world made earlier in the test may have left it
    floor = session.scalars(
        select(WageFloor).where(WageFloor.trade == "welder", WageFloor.district == "芝罘区")
    ).first() or WageFloor(trade="welder", district="芝罘区", daily_wage=280)
    session.add_all([report, proposal, station, floor, Membership(user_id=other_worker.id or 0)])
    session.flush()
    session.add(ReportPhoto(report_id=report.id or 0, content_type="image/jpeg", data=b"\xff\xd8"))
    session.add_all(  # both employers sent their licence photo: each may fetch only their own
        EmployerLicence(employer_id=e.id or 0, content_type="image/jpeg", data=b"\xff\xd8\xff")
        for e in (employer, other_employer)
    )
    session.flush()
    hire, entry, payment = _work_record(session, worker, employer)
    told = Event(kind="application.confirmed", worker_id=worker.id, payload={})
    session.add(told)
    session.flush()
    note = Notification(
        event_id=told.id or 0, user_id=worker.id or 0, kind=told.kind, title="You are hired",
        body="", url="/my/jobs",
    )  # fmt: skip
    session.add(note)
    standby = Standby(job_id=other_job.id or 0, worker_id=worker.id or 0)
    strike = Strike(
        worker_id=worker.id or 0, application_id=hire.id or 0, job_id=hire.job_id,
        kind=StrikeKind.no_show, occurred_at=hire.shift_end,
    )  # fmt: skip
    session.add_all([standby, strike])
    session.flush()
    appeal = StrikeAppeal(strike_id=strike.id or 0, worker_id=worker.id or 0, text="我去了")
    invite = Invite(job_id=job.id or 0, worker_id=worker.id or 0, employer_id=employer.id or 0)
    session.add_all([appeal, invite])
    session.add(Block(blocker_id=employer.id or 0, blocked_id=other_worker.id or 0))
    session.add(Block(blocker_id=worker.id or 0, blocked_id=other_employer.id or 0))
    session.flush()
    station_staff = make_station_staff(session, station=station)
    other_station_staff = make_station_staff(
        session, station=make_station(session, name="莱山驿站")
    )
    assisted = make_assisted_worker(session, staff=station_staff)
    session.add(Rehire(employer_id=employer.id or 0, worker_id=assisted.id or 0))
    session.flush()
    return World(
        worker=worker,
        other_worker=other_worker,
        employer=employer,
        other_employer=other_employer,
        staff=staff,
        job=job,
        other_job=other_job,
        application=application,
        report=report,
        proposal=proposal,
        station=station,
        hire=hire,
        entry=entry,
        payment=payment,
        floor=floor,
        note=note,
        standby=standby,
        strike=strike,
        appeal=appeal,
        station_staff=station_staff,
        other_station_staff=other_station_staff,
        assisted=assisted,
        invite=invite,
    )


def _work_record(
    session: Session, worker: User, employer: User
) -> tuple[Application, Attendance, Payment]:
    """A finished shift of yesterday: the worker hired, checked in, paid (unanswered)."""
    start = datetime.now(UTC) - timedelta(days=1)
    past = make_job(session, employer=employer, start_at=start, title="昨天的活")
    hire = Application(
        job_id=past.id or 0,
        worker_id=worker.id or 0,
        status="confirmed",
        shift_start=past.start_at,
        shift_end=past.end_at,
        decided_at=start - timedelta(days=1),
        **terms_service.terms_of(past, now=start - timedelta(days=1)),
    )
    terms_service.record_hire(hire, past)
    session.add(hire)
    session.flush()
    entry = Attendance(
        application_id=hire.id or 0,
        job_id=past.id or 0,
        worker_id=worker.id or 0,
        kind="check_in",
        at=start,
        method="employer",
        recorded_by=employer.id or 0,
    )
    payment = Payment(
        application_id=hire.id or 0,
        job_id=past.id or 0,
        worker_id=worker.id or 0,
        employer_id=employer.id or 0,
        amount=300,
        method="cash",
        paid_at=past.end_at,
        recorded_by=employer.id or 0,
    )
    session.add_all([entry, payment])
    session.flush()
    return hire, entry, payment


def log_in_with_cookie(session: Session, user: User) -> tuple[str, str]:
    """A session for `user`: its token (to put in the cookie) and its CSRF token."""
    token, row = accounts.session_create(session=session, user=user)
    return token, row.csrf_token


def http_routes(app: FastAPI) -> list[tuple[str, str, bool]]:
    """(method, path template, is a page) for every HTTP route of the app."""
    found = []
    for route in iter_route_contexts(app.routes):
        for method in sorted(route.methods or ()):
            if method == "HEAD" or route.path is None:
                continue
            page = type(route.original_route).__name__ == "PageRoute"
            found.append((method, route.path, page))
    return found


def fill(path: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"no id for a parameter of {path}: add it to World.path_ids"
    return path


def row_counts(session: Session) -> dict[str, int]:
    return {
        name: int(session.execute(select(func.count()).select_from(table)).scalar_one())
        for name, table in metadata.tables.items()
    }
