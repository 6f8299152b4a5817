"""The feed's read model: the open jobs in memory (`JobBook`), fed by the event stream.

Each app replica holds one `FeedReadModel`. It is built from the database at start-up and
again whenever it may have missed events (the relay lost its place, the database was away
while an event was applied). Every numbered event that names a job makes the model re-read
that job's row, certificates and pending applications (one query each per batch), so the
model never interprets payloads and an event seen twice changes nothing. Events that name
a worker drop that worker's cached profile and make the model re-read that worker for
the employer's candidates (`market.feed.workers`).

What it promises (the feed reads from here, not from the database):

- A feed shows what the replica has heard so far. A job filled, cancelled, hidden or
  edited a moment ago may still be listed (or listed as it was) until its event arrives,
  normally within milliseconds, at worst the outbox poll interval while the broker is down.
  Claiming and hiring stay transactional in the database: a claim on a job that is full
  or gone is refused with its usual clear answer, whatever the feed showed.
- A worker's own change (profile, a hire, a cancellation, an application, a block either
  side made) reaches their feed once its event reaches the replica they ask: the worker's
  profile, busy shifts, application statuses and blocks are cached together and dropped
  on any event that names the worker (a block's event names both sides in its payload).
  The profile and busy shifts are taken from the workers book (the candidates' one,
  re-read on the same events) when it holds the worker: a first feed reads only the
  statuses and blocks from the database.
- The "有未结工钱" badge (an employer's open unpaid-wage case) is read for all employers at
  once and kept UNPAID_TTL_S seconds, or until a report or arrears event arrives.
- Apart from that staleness the list is exactly what the database path
  (`market.feed.service.list_feed` without a model) ranks, until the replica first solves
  its slot prices (`solve_prices`, `market.feed.prices`; the live service runs it every
  minute or so): from then on jobs are leaned by their price (how much workers with no
  other option need their places), not by the pending applications the database path
  counts. Either way every open job within the radius is considered, none is cut off by
  a cap.
- An employer's candidates are what the replica has heard of the workers: a profile
  changed, a hire or a cancellation a moment ago shows once its event arrives (each of
  these events names the worker). Applied and blocked workers are read from the
  database on each request, so they never show. Otherwise the list is exactly what the
  database path ranks, without its cap: every worker within reach is considered.
- While the model is not ready (not built yet, or stale after a failure) feeds come from
  the database path, so a replica is never wrong for longer than its events are late.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, bindparam, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from market.accounts import logins
from market.db import read_only
from market.events.outbox import Published
from market.feed.book import JobBook, OpenJob
from market.feed.prices import solve_prices
from market.feed.workers import KnownWorker, WorkerBook, load_workers
from market.invites import blocks as block_service
from market.jobs import service as job_service
from market.jobs.schemas import JobPublic, public_job
from market.learning import service as learning_service
from market.models import Application, Job, JobCertificate, JobStatus
from market.types import utcnow
from market.work import standing as work_standing
from market.workers import service as worker_service
from matching import model as m

SHOWN_MAX = 20_000  # jobs kept as shown (Job and JobPublic) between feeds

log = logging.getLogger("linggong.feed")

JOB_COLUMNS = tuple(c.name for c in Job.__table__.columns)  # type: ignore[attr-defined]
WORKER_CACHE_MAX = 100_000  # cached worker profiles per replica before the cache starts over
DIRTY_MAX = 500  # workers marked before an event's own application re-reads them all
WORKER_CACHE_TTL_S = 300.0  # a safety net: events drop entries long before
UNPAID_TTL_S = 30.0  # employers in arrears, read again at least this often
BLOCK_KINDS = frozenset({"user.blocked", "user.unblocked"})
UNPAID_KINDS = ("report.", "arrears.")  # may open or close an unpaid-wage case


def job_of(entry: OpenJob) -> Job:
    """The entry as a Job (not attached to any session: read it, never save it)."""
    return Job.model_construct(**dict(zip(JOB_COLUMNS, entry.row, strict=True)))


@dataclass(frozen=True)
class CachedWorker:
    # the profile: as the workers book holds it (`known`), or, for a worker the book does
    # not hold (no position or trade yet), read from the database (`view`: detached copies,
    # read them, never save them); exactly one of the two is set
    view: worker_service.WorkerView | None
    busy: tuple[m.Window, ...]  # shifts the worker is confirmed on, as when cached
    at: float
    statuses: dict[int, str] = field(default_factory=dict)  # job id: my application's status
    blocked: frozenset[int] = frozenset()  # employers either side blocked
    known: KnownWorker | None = None


class FeedReadModel:
    def __init__(self, engine: Engine) -> None:
        self.engine = read_only(engine)
        self.book = JobBook()
        self.workers = WorkerBook()
        self.ready = False
        self.builds = 0
        self._workers: dict[int, CachedWorker] = {}
        self._generation: dict[int, int] = {}
        self._lock = threading.Lock()
        self._during_build: set[int] | None = None  # jobs to read again after a build
        # workers named by events since the book last read them, each with the number of
        # the latest mark: re-read in one batch when the book is next asked, or by the live
        # service's poll each second (`fresh_workers`), not once per event on every replica
        self._dirty: dict[int, int] = {}
        self._marks = 0
        self._flushing = threading.Lock()  # one re-read (or build) of the book at a time
        self._unpaid: tuple[float, frozenset[int]] | None = None
        self._shown: dict[str, tuple[OpenJob, Job, JobPublic]] = {}

    # ------------------------------------------------------------ jobs

    def shown(self, entry: OpenJob) -> tuple[Job, JobPublic]:
        """The entry as a Job and as the API shows it, made once per version of the job and
        shared by every feed that lists it (read them, never change or save them). Made per
        card, they were a fifth of a feed request's CPU."""
        found = self._shown.get(entry.model.id)
        if found is not None and found[0] is entry:  # the same version: entries are immutable
            return found[1], found[2]
        job = job_of(entry)
        public = public_job(job, list(entry.certificates))
        if len(self._shown) >= SHOWN_MAX:  # the jobs feeds list lately; the rest go
            self._shown = {}
        self._shown[entry.model.id] = (entry, job, public)
        return job, public

    def build(self) -> None:
        """Load every open job from the database and start over (blocking: call off the loop).

        Jobs named by events applied while the load runs are read again after it, since
        the load may have read them before their change committed.
        """
        started = time.monotonic()
        logins.forget_all()  # events may have been missed: logins are read again
        with self._lock:
            self._workers.clear()
            self._during_build = set()
        try:
            # workers named meanwhile stay marked: the next re-read of the book reads them
            with self._flushing, Session(self.engine) as session:
                jobs, pending = _load(session, None)
                workers, _ = load_workers(session, None, utcnow())
                self.book.replace_all(jobs.values(), pending)
                self.workers.replace_all(workers)
        finally:
            with self._lock:
                again, self._during_build = self._during_build, None
        if again:
            self._refresh(sorted(again))
        self.ready = True
        self.builds += 1
        log.info(
            "feed read model built: %d open jobs in %.0f ms",
            len(self.book),
            (time.monotonic() - started) * 1000,
        )

    def apply(self, events: Sequence[Published]) -> None:
        """Bring the model up to these events (blocking). On a failure it is left stale."""
        job_ids = sorted({e.job_id for e in events if e.job_id is not None})
        worker_ids = sorted({e.worker_id for e in events if e.worker_id is not None})
        # marked before their cache entries go: a feed that reads the generation after the
        # drop then finds the worker marked and reads them from the database
        self._mark(worker_ids)
        self.forget_workers(worker_ids)
        self.forget_workers(
            user_id
            for e in events
            if e.kind in BLOCK_KINDS
            for user_id in (e.payload.get("by"), e.payload.get("user"))
            if isinstance(user_id, int)
        )
        for e in events:
            if e.kind == logins.ENDED and isinstance(e.payload.get("user"), int):
                logins.forget(user_id=e.payload["user"])
        if any(e.kind.startswith(UNPAID_KINDS) for e in events):
            self._unpaid = None
        with self._lock:
            if self._during_build is not None:
                self._during_build.update(job_ids)
        if job_ids:
            self._refresh(job_ids)
        if len(self._dirty) >= DIRTY_MAX:
            self.fresh_workers()

    def solve_prices(self) -> int:
        """Price the open jobs' places against every located worker, as of now, and lean feeds
        by the prices (blocking, CPU-bound: call off the loop). How many jobs were priced."""
        now = utcnow()
        jobs = self.book.open_models(after=now.timestamp())
        workers = [worker.at(now) for worker in self.fresh_workers().every()]
        with Session(self.engine) as session:
            _, weights = learning_service.live_weights(session=session)
        prices = solve_prices(jobs, workers, self.book.prices, weights)
        self.book.set_prices(prices)
        return len(prices)

    def _refresh(self, job_ids: Sequence[int]) -> None:
        try:
            with Session(self.engine) as session:
                jobs, pending = _load(session, job_ids)
        except Exception:
            self.ready = False  # rebuilt by the live service once the database answers
            raise
        gone = [str(i) for i in job_ids if str(i) not in jobs]
        counts = {str(i): pending.get(str(i), 0) for i in job_ids}
        self.book.update(upsert=jobs.values(), remove=gone, pending=counts)

    # ------------------------------------------------------------ workers

    def _mark(self, worker_ids: Iterable[int]) -> None:
        with self._lock:
            for worker_id in worker_ids:
                self._marks += 1
                self._dirty[worker_id] = self._marks

    def fresh_workers(self) -> WorkerBook:
        """The workers book, every worker an event named since it last read them read again
        first, all in one batch (blocking: it may read the database). Every reader of the
        book asks through this; a failed read leaves them marked and the model stale."""
        if not self._dirty:
            return self.workers
        with self._flushing:
            with self._lock:
                taken = dict(self._dirty)
            if taken:
                self._refresh_workers(sorted(taken))
                with self._lock:
                    for worker_id, mark in taken.items():
                        if self._dirty.get(worker_id) == mark:  # no event since the read
                            del self._dirty[worker_id]
        return self.workers

    def _refresh_workers(self, worker_ids: Sequence[int]) -> None:
        try:
            with Session(self.engine) as session:
                found, gone = load_workers(session, worker_ids, utcnow())
        except Exception:
            self.ready = False
            raise
        self.workers.update(upsert=found, remove=gone)

    def forget_workers(self, worker_ids: Iterable[int]) -> None:
        with self._lock:
            for worker_id in worker_ids:
                self._workers.pop(worker_id, None)
                self._generation[worker_id] = self._generation.get(worker_id, 0) + 1

    def cached_worker(self, worker_id: int) -> CachedWorker | None:
        """The worker's cache entry if it is there and fresh (no I/O); None: `worker` reads."""
        found = self._workers.get(worker_id)
        if found is not None and time.monotonic() - found.at < WORKER_CACHE_TTL_S:
            return found
        return None

    def worker(self, *, session: Session, worker_id: int) -> CachedWorker:
        """The worker's profile and busy shifts: from the cache, else read and cached."""
        found = self.cached_worker(worker_id)
        if found is not None:
            return found
        with self._lock:
            generation = self._generation.get(worker_id, 0)
        now = utcnow()
        # the workers book holds the profile and shifts as of the worker's last re-read; read
        # from the database for a worker it does not hold, or one an event marked since
        # (until `fresh_workers` has read them again)
        known = None if worker_id in self._dirty else self.workers.get(worker_id)
        view: worker_service.WorkerView | None = None
        if known is None:
            view = _detached_view(worker_service.get_worker(session=session, user_id=worker_id))
            found_busy = worker_service.busy_windows(
                session=session, worker_ids=[worker_id], now=now
            )
            busy = tuple(found_busy[worker_id])
        else:
            busy = known.busy
        statuses = dict(
            session.exec(
                select(Application.job_id, Application.status)
                .join(Job, col(Job.id) == col(Application.job_id))
                .where(Application.worker_id == worker_id, col(Job.start_at) > now)
            ).all()
        )
        cached = CachedWorker(
            view,
            busy,
            time.monotonic(),
            statuses=statuses,
            blocked=frozenset(block_service.blocked_with(session=session, user_id=worker_id)),
            known=known,
        )
        with self._lock:
            if self._generation.get(worker_id, 0) == generation:  # no event came meanwhile
                if len(self._workers) >= WORKER_CACHE_MAX:
                    self._workers.clear()
                self._workers[worker_id] = cached
        return cached

    def cached_unpaid(self) -> frozenset[int] | None:
        """`unpaid_employers` if read under UNPAID_TTL_S ago (no I/O); None: it reads."""
        found = self._unpaid
        if found is None or time.monotonic() - found[0] >= UNPAID_TTL_S:
            return None
        return found[1]

    def unpaid_employers(self, *, session: Session) -> frozenset[int]:
        """Employers with an open unpaid-wage case, as read at most UNPAID_TTL_S ago."""
        found = self.cached_unpaid()
        if found is None:
            found = frozenset(work_standing.all_employers_in_arrears(session=session))
            self._unpaid = (time.monotonic(), found)
        return found


def _load(
    session: Session, job_ids: Sequence[int] | None
) -> tuple[dict[str, OpenJob], dict[str, int]]:
    """Open, visible jobs (all, or of `job_ids`) and their pending application counts."""
    rows: Sequence[Sequence[Any]]
    if job_ids is None:
        visible = (*_VISIBLE, col(Job.start_at) > utcnow())
        rows = session.execute(select(*_COLUMNS).where(*visible)).all()
        listed = session.execute(_certificates_where(*visible)).all()
        pending = {
            str(job_id): int(count)
            for job_id, count in session.execute(
                select(Application.job_id, func.count())
                .join(Job, col(Job.id) == col(Application.job_id))
                .where(*visible, Application.status == "applied")
                .group_by(col(Application.job_id))
            )
        }
    else:  # an event's few jobs: two statements built once, the pending count in the first
        ids = {"ids": list(job_ids)}
        found = session.execute(_ROWS_OF, ids).all()
        rows = [row[:-1] for row in found]
        pending = {str(row[_ID_AT]): int(row[-1]) for row in found if row[-1]}
        listed = session.execute(_CERTIFICATES_OF, ids).all() if found else []
    certificates: dict[int, list[str]] = {}
    for job_id, code in listed:
        certificates.setdefault(job_id, []).append(code)
    jobs = {}
    for row in rows:
        job = Job.model_construct(**dict(zip(JOB_COLUMNS, row, strict=True)))
        codes = sorted(certificates.get(job.id or 0, ()))
        model = job_service.matching_job(job, codes, job.confirmed_count)
        jobs[model.id] = OpenJob(tuple(row), tuple(codes), model, job.employer_id)
    return jobs, pending


def _certificates_where(*where: Any) -> Any:
    return (
        select(JobCertificate.job_id, JobCertificate.code)
        .join(Job, col(Job.id) == col(JobCertificate.job_id))
        .where(*where)
    )


_VISIBLE: tuple[Any, ...] = (Job.status == JobStatus.open, col(Job.hidden_reason).is_(None))
_COLUMNS: list[Any] = [Job.__table__.c[name] for name in JOB_COLUMNS]  # type: ignore[attr-defined]
_ID_AT = JOB_COLUMNS.index("id")
_OF_IDS = col(Job.id).in_(bindparam("ids", expanding=True))
_PENDING = (
    select(func.count())
    .where(col(Application.job_id) == col(Job.id), Application.status == "applied")
    .scalar_subquery()
)
_ROWS_OF = sa_select(*_COLUMNS, _PENDING).where(*_VISIBLE, _OF_IDS)
_CERTIFICATES_OF = _certificates_where(*_VISIBLE, _OF_IDS)


def _detached_view(view: worker_service.WorkerView) -> worker_service.WorkerView:
    """Copies of the view's rows that belong to no session (safe to share across requests)."""

    def copy(row: Any) -> Any:
        return type(row).model_construct(**row.model_dump())

    return worker_service.WorkerView(
        user=copy(view.user),
        profile=copy(view.profile),
        trades=[copy(t) for t in view.trades],
        certificates=list(view.certificates),
        weekly=[copy(w) for w in view.weekly],
        days=[copy(d) for d in view.days],
    )
