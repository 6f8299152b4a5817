"""A worker's own profile, feed and applications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from market.applications import service as application_service
from market.feed import service as feed_service
from market.feed.schemas import FeedFilter
from market.jobs import service as job_service
from market.paging import DEFAULT_LIMIT
from market.reliability import service as reliability_service
from market.reliability.schemas import AppealCreate
from market.standby import service as standby_service
from market.workers import identity as identity_service
from market.workers import service as worker_service
from market.workers.schemas import AvailableNow, WorkerProfileUpdate
from web.api.schemas.applications import (
    ApplicationOut,
    MyApplicationOut,
    application_out,
    my_application_out,
)
from web.api.schemas.feed import FeedOut, feed_item_out
from web.api.schemas.reliability import (
    AppealOut,
    RecordOut,
    StandbyOut,
    appeal_out,
    record_out,
    standby_out,
)
from web.api.schemas.workers import (
    IdentityIn,
    IdentityOut,
    WorkerProfileOut,
    identity_out,
    worker_profile_out,
)
from web.deps import (
    AfterQuery,
    CurrentWorker,
    Id,
    ImpressionsDep,
    LimitQuery,
    LocaleDep,
    MyStrikeDep,
    SessionDep,
    link_next,
    read_database,
)
from web.feed_read import FeedReadDep
from web.observability import count_matches

router = APIRouter(prefix="/worker", tags=["worker"])


@router.get("/profile")
def profile_get(worker: CurrentWorker, session: SessionDep) -> WorkerProfileOut:
    """My profile."""
    return worker_profile_out(worker_service.get_worker(session=session, user_id=worker.id or 0))


@router.patch("/profile")
def profile_update(
    data: WorkerProfileUpdate, worker: CurrentWorker, session: SessionDep
) -> WorkerProfileOut:
    """Change trades, certificates, location, radius, minimum wage or availability."""
    view = worker_service.worker_profile_update(session=session, worker=worker, data=data)
    return worker_profile_out(view)


@router.get("/identity")
def identity_get(worker: CurrentWorker, session: SessionDep) -> IdentityOut | None:
    """My legal name and ID number (masked), or null if I have not given them."""
    identity = identity_service.get_identity(session=session, worker_id=worker.id or 0)
    return identity_out(identity) if identity else None


@router.put("/identity")
def identity_put(data: IdentityIn, worker: CurrentWorker, session: SessionDep) -> IdentityOut:
    """Give or change my legal name and ID number (for evidence sheets and legal aid)."""
    identity = identity_service.identity_set(
        session=session, worker=worker, legal_name=data.legal_name, id_number=data.id_number
    )
    return identity_out(identity)


@router.delete("/identity", status_code=status.HTTP_204_NO_CONTENT)
def identity_delete(worker: CurrentWorker, session: SessionDep) -> None:
    """Remove my legal name and ID number."""
    identity_service.identity_remove(session=session, worker_id=worker.id or 0)


@router.put("/available-now")
def available_now(
    data: AvailableNow, worker: CurrentWorker, session: SessionDep
) -> WorkerProfileOut:
    """Switch "available now" on (with my current location) or off."""
    view = worker_service.worker_available_now_set(session=session, worker=worker, data=data)
    return worker_profile_out(view)


@router.get("/feed")
async def feed(
    request: Request,
    read: FeedReadDep,
    locale: LocaleDep,
    filters: Annotated[FeedFilter, Query()],
    shown: ImpressionsDep,
) -> FeedOut:
    """Open jobs that fit me, best first, each with why it fits."""
    worker_id = read.worker.id or 0
    if read.ready is not None:  # in memory, on the event loop
        model, context = read.ready
        result = feed_service.rank_feed(
            context=context, worker_id=worker_id, data=filters, model=model, shown=shown
        )
    else:  # no read model (or not built yet): the database ranks, on a worker thread

        def read_feed(session: Session) -> feed_service.Feed:
            return feed_service.list_feed_from_database(
                session=session, worker_id=worker_id, data=filters, shown=shown
            )

        result = await run_in_threadpool(read_database, request, read_feed)
    count_matches(request, "feed", len(result.items))
    return FeedOut(items=[feed_item_out(i, locale) for i in result.items], missing=result.missing)


@router.get("/applications")
def my_applications(
    request: Request,
    response: Response,
    worker: CurrentWorker,
    session: SessionDep,
    after: AfterQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> list[MyApplicationOut]:
    """A page of my applications and hires (`Link` to the next); phones once confirmed."""
    page = application_service.list_worker_applications(
        session=session, worker_id=worker.id or 0, after=after, limit=limit
    )
    link_next(request, response, page.next)
    rows = page.items
    certificates = job_service.certificates_by_job(
        session=session, job_ids=[job.id or 0 for _, job, _ in rows]
    )
    return [
        my_application_out(a, job, certificates[job.id or 0], employer) for a, job, employer in rows
    ]


@router.get("/record")
def my_record(worker: CurrentWorker, session: SessionDep, locale: LocaleDep) -> RecordOut:
    """My strikes (late call-offs, no-shows), why each counts and when it expires."""
    record = reliability_service.get_worker_record(session=session, worker_id=worker.id or 0)
    return record_out(record, locale)


@router.post("/strikes/{strike_id}/appeal", status_code=status.HTTP_201_CREATED)
def strike_appeal(
    strike: MyStrikeDep, data: AppealCreate, worker: CurrentWorker, session: SessionDep
) -> AppealOut:
    """Appeal one of my strikes (once), saying what happened; union staff decide."""
    appeal = reliability_service.appeal_file(
        session=session, strike_id=strike.id or 0, worker=worker, text=data.text
    )
    return appeal_out(appeal)


@router.get("/standby")
def my_standby(worker: CurrentWorker, session: SessionDep) -> list[StandbyOut]:
    """The standby lists (候补) I am on, offers first."""
    rows = standby_service.list_worker_standby(session=session, worker_id=worker.id or 0)
    return [standby_out(entry, job) for entry, job in rows]


@router.post("/standby/{standby_id}/accept")
def standby_accept(standby_id: Id, worker: CurrentWorker, session: SessionDep) -> ApplicationOut:
    """Take the place offered to me before the offer runs out: I am hired."""
    return application_out(
        standby_service.standby_accept(session=session, standby_id=standby_id, worker=worker)
    )


@router.post("/standby/{standby_id}/decline")
def standby_decline(standby_id: Id, worker: CurrentWorker, session: SessionDep) -> StandbyOut:
    """Turn the offered place down: it goes to the next worker on the list."""
    entry = standby_service.standby_decline(session=session, standby_id=standby_id, worker=worker)
    return standby_out(entry, job_service.get_job(session=session, job_id=entry.job_id))


@router.post("/standby/{standby_id}/leave")
def standby_leave(standby_id: Id, worker: CurrentWorker, session: SessionDep) -> StandbyOut:
    """Leave a standby list (a place offered to me goes to the next worker)."""
    entry = standby_service.standby_leave(session=session, standby_id=standby_id, worker=worker)
    return standby_out(entry, job_service.get_job(session=session, job_id=entry.job_id))
