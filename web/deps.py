"""Request dependencies: the database session, who is asking, and look-ups with their checks.

Look-up-and-permission rules are written here once; the API and the pages declare the same
ones. A refusal is worded for a page or for the API in one place, `web.errors`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Query, Request, Response
from sqlmodel import Session

from market.accounts import service as account_service
from market.applications import service as application_service
from market.db import leave_traces, read_only, session_scope
from market.errors import N_, NotAllowed, NotFound, Unauthenticated
from market.feed.readmodel import FeedReadModel
from market.jobs import service as job_service
from market.learning.impressions import ImpressionLog
from market.models import (
    Application,
    Attendance,
    Job,
    Payment,
    Report,
    Role,
    Station,
    Strike,
    User,
    UserSession,
)
from market.moderation import service as moderation_service
from market.notifications import service as notification_service
from market.paging import MAX_LIMIT
from market.reliability import service as reliability_service
from market.reports import service as report_service
from market.stations import assisted as assisted_service
from market.stations import service as station_service
from market.stats import periods as period_service
from market.types import MAX_ID
from market.work import ledger as ledger_service
from market.work import service as work_service
from web.errors.messages import RoleRequired
from web.i18n import locale_of
from web.security.cookies import SESSION_COOKIE, read_cookie

F = TypeVar("F", bound=Any)
T = TypeVar("T")
__all__ = ["SESSION_COOKIE"]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def writes_on_read(endpoint: F) -> F:
    """Mark a GET route whose read also writes (the stats rollup refresh): it gets a
    writing transaction, so SQLite takes its write lock up front instead of failing to
    upgrade a read snapshot when another writer committed meanwhile."""
    endpoint.__linggong_writes__ = True  # type: ignore[attr-defined]
    return endpoint


def _session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route succeeds, else rolled back.

    Safe methods get a read-only transaction (SQLite: no write lock taken), unless the
    route is marked `writes_on_read`.
    """
    engine = request.app.state.engine
    writes = getattr(request.scope.get("endpoint"), "__linggong_writes__", False)
    if request.method in SAFE_METHODS and not writes:
        engine = read_only(engine)
    try:
        with session_scope(engine) as session:
            yield session
    except Exception as error:
        # rolled back; what the refusal must leave behind (a count) is written on its own
        leave_traces(engine=request.app.state.engine, error=error)
        raise


# At most this many requests hold a database session at once; the rest wait without a
# thread. It must stay below the threadpool's 40 threads and the connection pool: a request
# holding a transaction (and its locks) needs a free thread for each later step up to the
# commit, and 200 requests all blocked on a lock inside every thread would starve it.
MAX_DB_REQUESTS = 16
SessionDep = Annotated[
    Session, Depends(_session, scope="function", max_concurrency=MAX_DB_REQUESTS)
]


def request_token(request: Request) -> tuple[str | None, bool]:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip(), False
    cookie = read_cookie(request)
    return cookie, cookie is not None


async def sent_csrf(request: Request) -> str | None:
    """The CSRF token a write carries: the `X-CSRF-Token` header, else a form's hidden field."""
    header = request.headers.get("x-csrf-token")
    if header or request.method in SAFE_METHODS:
        return header
    token = (await request.form()).get("csrf_token")  # read once, kept for the route
    return token if isinstance(token, str) else None


SentCsrf = Annotated[str | None, Depends(sent_csrf)]


def read_login(request: Request, session: Session, sent: str | None) -> tuple[User, UserSession]:
    """The request's login (session token from the header or cookie) and its user; a write
    from a page must carry the page's CSRF token."""
    token, from_cookie = request_token(request)
    found = (
        account_service.get_session_user(
            session=session, token=token, touch=request.method not in SAFE_METHODS
        )
        if token
        else None
    )
    if found is None:
        raise Unauthenticated(N_("Please log in"))
    user, login = found
    if from_cookie and request.method not in SAFE_METHODS and sent != login.csrf_token:
        raise NotAllowed(N_("The page has expired; reload it and try again"))
    admit(request, user, login)
    return user, login


def admit(request: Request, user: User, login: UserSession) -> None:
    request.state.user = user
    request.state.csrf_token = login.csrf_token  # for the forms of the page
    live = getattr(request.app.state, "live", None)
    if live is not None:  # read before the page's own reads: live.js resumes from here
        request.state.live_seq = live.hub.seq


def _current(request: Request, session: SessionDep, sent: SentCsrf) -> tuple[User, UserSession]:
    user, login = read_login(request, session, sent)
    request.state.unread = partial(  # the badge: counted only when a whole page is rendered
        notification_service.count_unread, session=session, user_id=user.id or 0
    )
    return user, login


CurrentLogin = Annotated[tuple[User, UserSession], Depends(_current)]


# The look-ups below do no I/O: `async def`, so FastAPI runs them on the event loop instead
# of handing each to a worker thread (a thread hop per dependency per request).
async def _user(login: CurrentLogin) -> User:
    return login[0]


CurrentUser = Annotated[User, Depends(_user)]


def as_role(user: User, role: Role) -> User:
    if user.role != role:
        raise RoleRequired(role)
    return user


def role_required(role: Role) -> Callable[[User], Awaitable[User]]:
    """The check that lets only accounts of `role` through, for API routes and pages alike."""

    async def check(user: CurrentUser) -> User:
        return as_role(user, role)

    return check


def feed_model_of(request: Request) -> FeedReadModel | None:
    live = getattr(request.app.state, "live", None)
    return None if live is None else live.feed


async def _feed_model(request: Request) -> FeedReadModel | None:
    """This replica's read model of the open jobs (None when feeds read the database)."""
    return feed_model_of(request)


FeedModelDep = Annotated[FeedReadModel | None, Depends(_feed_model)]


async def _impressions(request: Request) -> ImpressionLog:
    """This replica's log of what feeds showed, written out by the background loop."""
    log: ImpressionLog = request.app.state.impressions
    return log


ImpressionsDep = Annotated[ImpressionLog, Depends(_impressions)]


def read_database(request: Request, read: Callable[[Session], T]) -> T:
    """`read` in the request's transaction, opened here rather than as a dependency: for a
    route that reads the database only when its caches miss (read-only for a safe method,
    a refusal's traces left behind, as `_session` and any override of it do)."""
    provider = request.app.dependency_overrides.get(_session)
    scope = (
        contextmanager(provider)() if provider is not None else contextmanager(_session)(request)
    )
    with scope as session:
        return read(session)


CurrentWorker = Annotated[User, Depends(role_required(Role.worker))]
CurrentEmployer = Annotated[User, Depends(role_required(Role.employer))]
CurrentStaff = Annotated[User, Depends(role_required(Role.staff))]
CurrentStationStaff = Annotated[User, Depends(role_required(Role.station))]


async def require_staff(staff: CurrentStaff) -> User:
    """Router-level guard: every staff route answers 401/403 before anything else runs."""
    return staff


Id = Annotated[int, Path(ge=1, le=MAX_ID)]
JobId = Annotated[int, Path(ge=1, le=MAX_ID, description="Job id")]


def _job(session: SessionDep, job_id: JobId) -> Job:
    return job_service.get_job(session=session, job_id=job_id)


JobDep = Annotated[Job, Depends(_job)]


async def _owned_job(job: JobDep, employer: CurrentEmployer) -> Job:  # no I/O: no thread
    if job.employer_id != employer.id:
        raise NotAllowed(N_("This is not your job"))
    return job


OwnedJobDep = Annotated[Job, Depends(_owned_job)]


def _application(session: SessionDep, user: CurrentUser, application_id: Id) -> Application:
    """The application, visible only to its worker and the job's employer (others get 404)."""
    application = application_service.get_application(
        session=session, application_id=application_id
    )
    if user.id != application.worker_id:
        job = job_service.get_job(session=session, job_id=application.job_id)
        if user.id != job.employer_id:
            raise NotFound(N_("Application not found"))
    return application


ApplicationDep = Annotated[Application, Depends(_application)]


def _report(session: SessionDep, staff: CurrentStaff, report_id: Id) -> Report:
    return report_service.get_report(session=session, report_id=report_id)


ReportDep = Annotated[Report, Depends(_report)]


def _station(session: SessionDep, staff: CurrentStaff, station_id: Id) -> Station:
    return station_service.get_station(session=session, station_id=station_id)


StationDep = Annotated[Station, Depends(_station)]


def _target_user(session: SessionDep, staff: CurrentStaff, user_id: Id) -> User:
    return moderation_service.get_user(session=session, user_id=user_id)


TargetUserDep = Annotated[User, Depends(_target_user)]


def _period(
    first: Annotated[date | None, Query(description="first local date (default today)")] = None,
    last: Annotated[date | None, Query(description="last local date, included")] = None,
) -> period_service.Period:
    return period_service.period_for(first=first, last=last)


PeriodDep = Annotated[period_service.Period, Depends(_period)]


async def _locale(request: Request) -> str:
    return locale_of(request)


LocaleDep = Annotated[str, Depends(_locale)]


# ---------------------------------------------------------------- the work record
# A work record (a hire's attendance and pay) is visible to its worker, the job's employer
# and union staff; to anyone else it does not exist (404, nothing leaked). Which side may
# do what (the worker confirms a payment, the employer records one) the services decide.

RecordId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="The work record's id: its hire's application id")
]
EntryId = Annotated[int, Path(ge=1, le=MAX_ID, description="Attendance entry id")]
PaymentId = Annotated[int, Path(ge=1, le=MAX_ID, description="Payment id")]


def visible_record(session: Session, user: User, application_id: int) -> Application:
    """The hire, if `user` is one of its two sides or staff; NotFound otherwise."""
    application, job = ledger_service.get_application_and_job(
        session=session, application_id=application_id
    )
    if user.role != Role.staff and user.id not in (application.worker_id, job.employer_id):
        raise NotFound(N_("Work record not found"))
    return application


def _record(session: SessionDep, user: CurrentUser, record_id: RecordId) -> Application:
    return visible_record(session, user, record_id)


RecordDep = Annotated[Application, Depends(_record)]  # its worker, its employer or staff


def _entry(session: SessionDep, user: CurrentUser, entry_id: EntryId) -> Attendance:
    entry = work_service.get_entry(session=session, entry_id=entry_id)
    visible_record(session, user, entry.application_id)
    return entry


def _payment(session: SessionDep, user: CurrentUser, payment_id: PaymentId) -> Payment:
    payment = work_service.get_payment(session=session, payment_id=payment_id)
    visible_record(session, user, payment.application_id)
    return payment


EntryDep = Annotated[Attendance, Depends(_entry)]
PaymentDep = Annotated[Payment, Depends(_payment)]


def _side(session: Session, user: User, application: Application) -> str:
    job = ledger_service.get_application_and_job(
        session=session, application_id=application.id or 0
    )[1]
    if user.role == Role.staff:
        raise NotAllowed(N_("Union staff read work records; the two sides write them"))
    return work_service.side_of(application, job, user)


def _party_record(session: SessionDep, user: CurrentUser, record: RecordDep) -> Application:
    _side(session, user, record)
    return record


def _party_entry(session: SessionDep, user: CurrentUser, entry: EntryDep) -> Attendance:
    _side(session, user, visible_record(session, user, entry.application_id))
    return entry


def _employer_record(session: SessionDep, user: CurrentUser, record: RecordDep) -> Application:
    if _side(session, user, record) != "employer":
        raise NotAllowed(N_("Only the employer records a payment; you confirm or dispute it"))
    return record


def _worker_payment(session: SessionDep, user: CurrentUser, payment: PaymentDep) -> Payment:
    if _side(session, user, visible_record(session, user, payment.application_id)) != "worker":
        raise NotAllowed(N_("Only the worker confirms or disputes a payment"))
    return payment


PartyRecordDep = Annotated[Application, Depends(_party_record)]  # its worker or employer
EmployerRecordDep = Annotated[Application, Depends(_employer_record)]
PartyEntryDep = Annotated[Attendance, Depends(_party_entry)]
WorkerPaymentDep = Annotated[Payment, Depends(_worker_payment)]


def _my_hire(session: SessionDep, user: CurrentUser, record: RecordDep) -> Application:
    """The worker's own hire (their pages); anyone else's is not found."""
    if record.worker_id != user.id:
        raise NotFound(N_("Work record not found"))
    return record


def _my_job_hire(session: SessionDep, user: CurrentUser, record: RecordDep) -> Application:
    """A hire on the employer's own job (their pages); anyone else's is not found."""
    if _side(session, user, record) != "employer":
        raise NotFound(N_("Work record not found"))
    return record


MyHireDep = Annotated[Application, Depends(_my_hire)]
MyJobHireDep = Annotated[Application, Depends(_my_job_hire)]


# keyset paging: `?after=` is the opaque cursor a previous page gave, `?limit=` its size
AfterQuery = Annotated[
    str | None, Query(max_length=200, description="The `next` cursor of the previous page")
]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


def link_next(request: Request, response: Response, cursor: str | None) -> None:
    """Point to the following page in a `Link: <...>; rel="next"` header, if there is one."""
    if cursor is not None:
        url = request.url.include_query_params(after=cursor)
        response.headers["Link"] = f'<{url}>; rel="next"'


def _my_strike(session: SessionDep, worker: CurrentWorker, strike_id: Id) -> Strike:
    """The worker's own strike (before the body is read: a stranger learns nothing)."""
    return reliability_service.get_worker_strike(
        session=session, strike_id=strike_id, worker_id=worker.id or 0
    )


MyStrikeDep = Annotated[Strike, Depends(_my_strike)]


WorkerId = Annotated[int, Path(ge=1, le=MAX_ID, description="Worker's user id")]


def _assisted_worker(session: SessionDep, staff: CurrentStationStaff, worker_id: WorkerId) -> User:
    """A worker the station staff member's station registered; anyone else is not found."""
    return assisted_service.get_assisted_worker(session=session, staff=staff, worker_id=worker_id)


AssistedWorkerDep = Annotated[User, Depends(_assisted_worker)]
