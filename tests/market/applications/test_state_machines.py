"""Job and application state machines: refusals change nothing, allowed moves write their events.

A refused call is not rolled back here: the service must refuse before it writes. The only
write allowed before a refusal is the worker's lock counter (`worker.lock_version`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from market.applications import ratings as rating_service
from market.applications import service as application_service
from market.errors import Conflict, NotFound
from market.jobs import service as job_service
from market.jobs.schemas import JobUpdate
from market.models import Application, Event, Job, User, WorkerProfile
from matching.geo import haversine_km
from tests.factories import YANTAI, make_employer, make_job, make_worker, tomorrow_at
from tests.market.service_helpers import refused

HOUR = timedelta(hours=1)
LABEL = {  # how each status reads in a message (the English msgids)
    "open": "open",
    "filled": "full",
    "cancelled": "cancelled",
    "completed": "completed",
    "applied": "waiting for the employer",
    "confirmed": "confirmed",
    "declined": "declined",
    "withdrawn": "withdrawn",
    "no_show": "marked as no-show",
}


def last_event_id(session: Session) -> int:
    return session.exec(select(Event.id).order_by(col(Event.id).desc())).first() or 0


def kinds_since(session: Session, event_id: int) -> list[str]:
    return list(
        session.exec(select(Event.kind).where(col(Event.id) > event_id).order_by(col(Event.id)))
    )


class Gig:
    """One employer, one job, and helpers to drive it through the services."""

    def __init__(self, session: Session, *, headcount: int = 2) -> None:
        self.session = session
        self.employer = make_employer(session)
        self.job = make_job(session, employer=self.employer, headcount=headcount)
        self.before_start = self.job.start_at - 2 * HOUR
        self.after_start = self.job.start_at + HOUR

    def claim(self, worker: User) -> Application:
        return application_service.application_claim(
            session=self.session, job_id=self.job.id or 0, worker=worker, now=self.before_start
        ).application

    def confirm(self, application: Application, *, now: datetime | None = None) -> Application:
        return application_service.application_confirm(
            session=self.session,
            application=application,
            employer=self.employer,
            now=now or self.before_start,
        )

    def decline(self, application: Application) -> Application:
        return application_service.application_decline(
            session=self.session,
            application=application,
            employer=self.employer,
            now=self.before_start,
        )

    def cancel(self, application: Application, by: User) -> Application:
        return application_service.application_cancel(
            session=self.session,
            application=application,
            user=by,
            reason="家里有事",
            now=self.before_start,
        )

    def no_show(self, application: Application, *, now: datetime | None = None) -> Application:
        return application_service.application_no_show(
            session=self.session,
            application=application,
            employer=self.employer,
            now=now or self.after_start,
        )

    def complete(self, *, now: datetime | None = None) -> Job:
        return job_service.job_complete(
            session=self.session, job=self.job, now=now or self.after_start
        )

    def cancel_job(self) -> Job:
        return job_service.job_cancel(
            session=self.session, job=self.job, reason="下雨停工", now=self.before_start
        )

    def rate(self, application: Application, rater: User, stars: int = 5) -> object:
        return rating_service.rating_create(
            session=self.session, application=application, rater=rater, stars=stars
        )

    def application_in(self, status: str, worker: User) -> Application:
        """An application brought to `status` the way people would get it there."""
        application = self.claim(worker)
        if status in ("confirmed", "cancelled", "completed", "no_show"):
            self.confirm(application)
        steps: dict[str, Callable[[], object]] = {
            "declined": lambda: self.decline(application),
            "withdrawn": lambda: self.cancel(application, worker),
            "cancelled": lambda: self.cancel(application, worker),
            "completed": lambda: self.complete(),
            "no_show": lambda: self.no_show(application),
        }
        if status in steps:
            steps[status]()
        self.session.refresh(application)
        assert application.status == status
        return application


# ---------------------------------------------------------------- applications

STATUSES = ["applied", "confirmed", "declined", "withdrawn", "cancelled", "completed", "no_show"]
# action -> status it starts from -> (status it ends in, events it writes); all else refused
ALLOWED: dict[str, dict[str, tuple[str, list[str]]]] = {
    "confirm": {"applied": ("confirmed", ["application.confirmed"])},
    "decline": {"applied": ("declined", ["application.declined"])},
    "worker_cancel": {
        "applied": ("withdrawn", ["application.withdrawn"]),
        # two hours before the start: a late call-off, so a strike (market/reliability)
        "confirmed": ("cancelled", ["application.cancelled", "strike.recorded"]),
    },
    # the employer's late call-off counts against the employer the same way
    "employer_cancel": {
        "confirmed": ("cancelled", ["application.cancelled", "employer_strike.recorded"])
    },
    "no_show": {"confirmed": ("no_show", ["application.no_show", "strike.recorded"])},
}
# the status a refused action would have moved the application to (named in the message)
TARGET = {
    "confirm": "confirmed",
    "decline": "declined",
    "employer_cancel": "cancelled",
    "no_show": "no_show",
}


def _act(gig: Gig, action: str, application: Application, worker: User) -> object:
    actions: dict[str, Callable[[], object]] = {
        "confirm": lambda: gig.confirm(application),
        "decline": lambda: gig.decline(application),
        "worker_cancel": lambda: gig.cancel(application, worker),
        "employer_cancel": lambda: gig.cancel(application, gig.employer),
        "no_show": lambda: gig.no_show(application),
    }
    return actions[action]()


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("status", STATUSES)
def test_application_transition_is_allowed_only_where_the_rules_say(
    session: Session, status: str, action: str
) -> None:
    gig = Gig(session)
    worker = make_worker(session)
    application = gig.application_in(status, worker)
    allowed = ALLOWED[action].get(status)

    if allowed is None:
        if action == "worker_cancel":
            target = "withdrawn" if status == "applied" else "cancelled"
        elif action == "employer_cancel" and status == "applied":
            target = "withdrawn"  # an employer turns an applicant down with decline instead
        else:
            target = TARGET[action]
        message = f"An application that is {LABEL[status]} cannot become {LABEL[target]}"
        refused(session, lambda: _act(gig, action, application, worker), Conflict, message)
        return

    mark = last_event_id(session)
    _act(gig, action, application, worker)
    session.refresh(application)
    assert application.status == allowed[0]
    assert kinds_since(session, mark) == allowed[1]


def test_cancelling_a_confirmed_hire_frees_the_slot_and_reopens_a_filled_job(
    session: Session,
) -> None:
    gig = Gig(session, headcount=1)
    first, second = make_worker(session), make_worker(session)
    waiting = gig.claim(second)
    hired = gig.application_in("confirmed", first)
    session.refresh(gig.job)
    assert (gig.job.status, gig.job.confirmed_count) == ("filled", 1)
    refused(session, lambda: gig.confirm(waiting), Conflict, "This job is full")

    mark = last_event_id(session)
    gig.cancel(hired, gig.employer)
    session.refresh(gig.job)
    assert (gig.job.status, gig.job.confirmed_count) == ("open", 0)
    # two hours before the start: the employer's call-off is late, a strike against them
    assert kinds_since(session, mark) == [
        "job.reopened",
        "application.cancelled",
        "employer_strike.recorded",
    ]

    gig.confirm(waiting)
    session.refresh(gig.job)
    assert (gig.job.status, gig.job.confirmed_count) == ("filled", 1)


@pytest.mark.parametrize("side", ["worker", "employer"])
def test_calling_off_a_hire_once_the_shift_has_started_is_refused(
    session: Session, side: str
) -> None:
    gig = Gig(session)
    worker = make_worker(session)
    application = gig.application_in("confirmed", worker)
    by = worker if side == "worker" else gig.employer
    refused(
        session,
        lambda: application_service.application_cancel(
            session=session, application=application, user=by, reason="x", now=gig.after_start
        ),
        Conflict,
        "The shift has started; the hire can no longer be called off",
    )


def test_no_show_before_the_shift_starts_is_refused(session: Session) -> None:
    gig = Gig(session)
    application = gig.application_in("confirmed", make_worker(session))
    refused(
        session,
        lambda: gig.no_show(application, now=gig.before_start),
        Conflict,
        "The shift has not started yet",
    )


def test_confirm_after_the_shift_started_is_refused(session: Session) -> None:
    gig = Gig(session)
    application = gig.claim(make_worker(session))
    refused(
        session,
        lambda: gig.confirm(application, now=gig.after_start),
        Conflict,
        "This shift has already started",
    )


def test_withdrawn_application_can_apply_again(session: Session) -> None:
    gig = Gig(session)
    worker = make_worker(session)
    application = gig.application_in("withdrawn", worker)

    mark = last_event_id(session)
    again = gig.claim(worker)
    assert (again.id, again.status) == (application.id, "applied")
    assert kinds_since(session, mark) == ["application.created"]


@pytest.mark.parametrize("status", ["declined", "cancelled", "completed", "no_show"])
def test_application_that_was_decided_cannot_apply_again(session: Session, status: str) -> None:
    gig = Gig(session)
    worker = make_worker(session)
    gig.application_in(status, worker)
    if status == "completed":  # a completed job takes no one; the application speaks first
        session.refresh(gig.job)
    refused(
        session,
        lambda: gig.claim(worker),
        Conflict,
        f"You cannot apply again: your application is {LABEL[status]}",
    )


# ---------------------------------------------------------------- ratings


def test_rating_only_after_completion_once_and_from_the_two_sides(session: Session) -> None:
    gig = Gig(session)
    worker, stranger = make_worker(session), make_worker(session)
    application = gig.application_in("confirmed", worker)
    refused(
        session,
        lambda: gig.rate(application, worker),
        Conflict,
        "You can rate only after the job is done",
    )

    gig.complete()
    session.refresh(application)
    refused(session, lambda: gig.rate(application, stranger), NotFound, "Application not found")
    mark = last_event_id(session)
    gig.rate(application, worker, stars=4)
    gig.rate(application, gig.employer, stars=5)
    assert kinds_since(session, mark) == ["rating.created", "rating.created"]
    for rater in (worker, gig.employer):
        refused(
            session,
            lambda rater=rater: gig.rate(application, rater),
            Conflict,
            "You have already rated this job",
        )


def test_no_show_cannot_be_rated(session: Session) -> None:
    gig = Gig(session)
    worker = make_worker(session)
    application = gig.application_in("no_show", worker)
    refused(
        session,
        lambda: gig.rate(application, gig.employer),
        Conflict,
        "You can rate only after the job is done",
    )


# ---------------------------------------------------------------- jobs


def _job_in(gig: Gig, status: str) -> None:
    if status == "filled":
        for _ in range(gig.job.headcount):
            gig.application_in("confirmed", make_worker(gig.session))
    elif status == "cancelled":
        gig.cancel_job()
    elif status == "completed":
        gig.complete()
    gig.session.refresh(gig.job)
    assert gig.job.status == status


JOB_ACTIONS: dict[str, Callable[[Gig], object]] = {
    "edit": lambda gig: job_service.job_update(
        session=gig.session, job=gig.job, data=JobUpdate(wage=400), now=gig.before_start
    ),
    "cancel": lambda gig: gig.cancel_job(),
    "complete": lambda gig: gig.complete(),
}
JOB_REFUSAL = {
    "edit": "This job is {status} and can no longer be edited",
    "cancel": "This job is {status} and cannot be cancelled",
    "complete": "This job is {status} and cannot be marked done",
}


@pytest.mark.parametrize("action", list(JOB_ACTIONS))
@pytest.mark.parametrize("status", ["cancelled", "completed"])
def test_a_finished_job_refuses_every_change(session: Session, status: str, action: str) -> None:
    gig = Gig(session)
    _job_in(gig, status)
    message = JOB_REFUSAL[action].format(status=LABEL[status])
    refused(session, lambda: JOB_ACTIONS[action](gig), Conflict, message)


@pytest.mark.parametrize(
    ("action", "events"),
    [
        # the raise (300 -> 400) reaches both hired workers, each told live
        ("edit", ["application.pay_raised", "application.pay_raised", "job.updated"]),
        # two hours before the start with hires: a late call-off, a strike against the employer
        (
            "cancel",
            [
                "application.cancelled",
                "application.cancelled",
                "job.cancelled",
                "employer_strike.recorded",
            ],
        ),
        ("complete", ["application.completed", "application.completed", "job.completed"]),
    ],
)
def test_a_filled_job_can_still_change_and_writes_its_events(
    session: Session, action: str, events: list[str]
) -> None:
    gig = Gig(session)
    _job_in(gig, "filled")
    mark = last_event_id(session)
    JOB_ACTIONS[action](gig)
    assert kinds_since(session, mark) == events


def test_cancelling_a_job_cancels_its_pending_and_confirmed_applications(
    session: Session,
) -> None:
    gig = Gig(session, headcount=3)
    hired = gig.application_in("confirmed", make_worker(session))
    waiting = gig.application_in("applied", make_worker(session))
    withdrawn = gig.application_in("withdrawn", make_worker(session))

    mark = last_event_id(session)
    gig.cancel_job()
    for application in (hired, waiting, withdrawn):
        session.refresh(application)
    session.refresh(gig.job)
    assert (hired.status, waiting.status, withdrawn.status) == (
        "cancelled",
        "cancelled",
        "withdrawn",
    )
    assert (hired.cancelled_by, hired.cancel_reason) == ("employer", "下雨停工")
    assert (gig.job.status, gig.job.confirmed_count) == ("cancelled", 0)
    assert kinds_since(session, mark) == [
        "application.cancelled",
        "application.cancelled",
        "job.cancelled",
        "employer_strike.recorded",
    ]


def test_completing_a_job_completes_hires_and_declines_the_waiting(session: Session) -> None:
    gig = Gig(session, headcount=3)
    hired = gig.application_in("confirmed", make_worker(session))
    waiting = gig.application_in("applied", make_worker(session))
    absent = gig.application_in("confirmed", make_worker(session))
    gig.no_show(absent)

    mark = last_event_id(session)
    gig.complete()
    for application in (hired, waiting, absent):
        session.refresh(application)
    assert (hired.status, waiting.status, absent.status) == ("completed", "declined", "no_show")
    assert sorted(kinds_since(session, mark)) == [
        "application.completed",
        "application.declined",
        "job.completed",
    ]


def test_completing_a_job_before_its_shift_starts_is_refused(session: Session) -> None:
    gig = Gig(session)
    gig.application_in("confirmed", make_worker(session))
    refused(
        session,
        lambda: gig.complete(now=gig.before_start),
        Conflict,
        "The shift has not started yet; mark it done after the work",
    )


def test_an_open_job_with_hires_cannot_move_its_shift(session: Session) -> None:
    gig = Gig(session)
    gig.application_in("confirmed", make_worker(session))
    later = JobUpdate(start_at=gig.job.start_at + HOUR, end_at=gig.job.end_at + HOUR)
    refused(
        session,
        lambda: job_service.job_update(
            session=session, job=gig.job, data=later, now=gig.before_start
        ),
        Conflict,
        "Workers are already hired: the shift can no longer move",
    )


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("filled", "This job is full"),
        ("cancelled", "This job is cancelled and takes no more applications"),
        ("completed", "This job is completed and takes no more applications"),
    ],
)
def test_a_job_that_is_not_open_takes_no_applications(
    session: Session, status: str, message: str
) -> None:
    gig = Gig(session, headcount=1)
    _job_in(gig, status)
    latecomer = make_worker(session)
    refused(session, lambda: gig.claim(latecomer), Conflict, message)


def _claim(session: Session, job: Job, worker: User) -> Application:
    result = application_service.application_claim(
        session=session, job_id=job.id or 0, worker=worker
    )
    return result.application


def test_claim_by_a_worker_of_an_unrelated_trade_is_refused(session: Session) -> None:
    job = make_job(session, trade="cook", instant=True)
    painter = make_worker(session, trades=(("painter", 3),))
    refused(
        session,
        lambda: _claim(session, job, painter),
        Conflict,
        "Your trades do not match this job",
    )


def test_claim_by_a_worker_of_a_related_trade_is_taken(session: Session) -> None:
    job = make_job(session, trade="painter", instant=True)
    decorator = make_worker(session, trades=(("decorator", 2),))
    assert _claim(session, job, decorator).status == "confirmed"


def test_claim_without_the_certificate_the_law_requires_is_refused(session: Session) -> None:
    job = make_job(session, trade="electrician", instant=True)  # no certificate listed
    unlicensed = make_worker(session, trades=(("electrician", 3),))
    refused(
        session,
        lambda: _claim(session, job, unlicensed),
        Conflict,
        "This job needs a certificate you have not added: electrician",
    )
    licensed = make_worker(session, trades=(("electrician", 3),), certificates=("electrician",))
    assert _claim(session, job, licensed).status == "confirmed"


def test_a_claim_checks_the_jobs_listed_certificates_and_records_the_trip(
    session: Session,
) -> None:
    job = make_job(session, instant=True, certificates=("work_at_height",))
    without = make_worker(session)
    refused(
        session,
        lambda: _claim(session, job, without),
        Conflict,
        "This job needs a certificate you have not added: work_at_height",
    )
    homeless = make_worker(session, certificates=("work_at_height",))
    profile = session.get(WorkerProfile, homeless.id)
    assert profile is not None
    profile.home_lat = profile.home_lon = None
    session.add(profile)
    with_it = make_worker(session, certificates=("work_at_height",))
    assert _claim(session, job, homeless).distance_km is None
    hired = _claim(session, job, with_it)
    trip = haversine_km(YANTAI[0], YANTAI[1], job.lat, job.lon)  # make_worker's home
    assert hired.status == "confirmed" and trip > 1 and hired.distance_km == round(trip, 1)


def test_every_hire_counts_once_into_the_job_and_the_workers_record(session: Session) -> None:
    instant = make_job(session, instant=True, headcount=2)
    chosen = make_job(session, instant=False, headcount=1, start_at=tomorrow_at(12))
    worker = make_worker(session)
    employer = session.get(User, chosen.employer_id)
    assert employer is not None
    _claim(session, instant, worker)
    application = _claim(session, chosen, worker)
    application_service.application_confirm(
        session=session, application=application, employer=employer
    )
    session.expire_all()
    profile = session.get(WorkerProfile, worker.id)
    stored = [session.get(Job, j.id) for j in (instant, chosen)]
    assert profile is not None and profile.confirmed_total == 2
    assert [(j.confirmed_count, j.status) for j in stored if j] == [(1, "open"), (1, "filled")]
