"""Reliability rules, in the open: which events are strikes, when they expire, appeals.

A strike is a confirmed hire the worker called off under `LATE_CALL_OFF` before its start,
or a shift the employer marked as a no-show. It counts until the worker has completed
`CLEAN_SHIFTS_TO_EXPIRE` shifts that started after it, or until staff uphold the worker's
appeal against it. Nothing here suspends anyone: suspension stays a staff decision
(`market.moderation.user_suspend`), taken with the active strikes in view.

Strikes count from the day these rules were published: earlier call-offs and no-shows
were never announced as strikes, so none is written for them retroactively.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from market.errors import N_, Conflict, NotFound
from market.events.service import event_record
from market.models import (
    Application,
    ApplicationStatus,
    Job,
    Strike,
    StrikeAppeal,
    StrikeKind,
    User,
)
from market.reliability.models import AppealStatus
from market.types import utcnow

# A worker who calls off under 12 hours before the start leaves the employer too little
# time to find someone else; earlier than that the place usually refills (and the standby
# list is offered it).
LATE_CALL_OFF = timedelta(hours=12)
# Three shifts worked since show the strike was a bad day, not a habit: at the two or
# three shifts a week a day labourer typically gets, a strike lasts one to two weeks of
# work, long enough for employers to see a pattern and short enough not to follow a
# worker for months.
CLEAN_SHIFTS_TO_EXPIRE = 3
HOUR = timedelta(hours=1)

KIND_LABELS = {
    StrikeKind.late_cancel: N_("Called off a confirmed job less than 12 hours before the start"),
    StrikeKind.no_show: N_("Marked as not having come to work"),
}


@dataclass(frozen=True)
class StrikeView:
    strike: Strike
    job: Job
    appeal: StrikeAppeal | None
    clean_shifts: int  # completed shifts that started after the strike
    state: str  # "active", "expired" (clean shifts) or "voided" (appeal upheld)

    @property
    def clean_shifts_left(self) -> int:
        return max(0, CLEAN_SHIFTS_TO_EXPIRE - self.clean_shifts)

    @property
    def can_appeal(self) -> bool:
        return self.appeal is None and self.state == "active"


@dataclass(frozen=True)
class WorkerRecord:
    strikes: list[StrikeView]  # newest first
    clean_shifts_to_expire: int = CLEAN_SHIFTS_TO_EXPIRE

    @property
    def active(self) -> int:
        return sum(1 for s in self.strikes if s.state == "active")


def _strike(
    session: Session, application: Application, kind: str, now: datetime, hours: float | None
) -> Strike:
    strike = Strike(
        worker_id=application.worker_id,
        application_id=application.id or 0,
        job_id=application.job_id,
        kind=kind,
        occurred_at=now,
        hours_before=hours,
    )
    session.add(strike)
    session.flush()
    event_record(
        session=session,
        kind="strike.recorded",
        job_id=application.job_id,
        worker_id=application.worker_id,
        payload={"strike": strike.id, "kind": kind, "application": application.id},
    )
    return strike


def strike_on_call_off(
    *, session: Session, application: Application, job: Job, side: str, now: datetime
) -> Strike | None:
    """A strike when the worker called the hire off under `LATE_CALL_OFF` before the start."""
    left = job.start_at - now
    if side != "worker" or left >= LATE_CALL_OFF:
        return None
    return _strike(session, application, StrikeKind.late_cancel, now, round(left / HOUR, 1))


def strike_on_no_show(*, session: Session, application: Application, now: datetime) -> Strike:
    """A strike for a shift the employer marked as a no-show."""
    return _strike(session, application, StrikeKind.no_show, now, None)


def _completed_starts(session: Session, worker_ids: Iterable[int]) -> dict[int, list[datetime]]:
    rows = session.exec(
        select(Application.worker_id, Application.shift_start).where(
            col(Application.worker_id).in_(list(worker_ids)),
            Application.status == ApplicationStatus.completed,
        )
    ).all()
    starts: dict[int, list[datetime]] = defaultdict(list)
    for worker_id, start in rows:
        starts[worker_id].append(start)
    return starts


def _state(strike: Strike, clean: int) -> str:
    if strike.voided_at is not None:
        return "voided"
    return "expired" if clean >= CLEAN_SHIFTS_TO_EXPIRE else "active"


def _clean(strike: Strike, starts: list[datetime]) -> int:
    return sum(1 for s in starts if s > strike.occurred_at)


def get_worker_record(*, session: Session, worker_id: int) -> WorkerRecord:
    """The worker's strikes, newest first, each with its job, appeal and state."""
    rows = session.exec(
        select(Strike, Job, StrikeAppeal)
        .join(Job, col(Job.id) == col(Strike.job_id))
        .outerjoin(StrikeAppeal, col(StrikeAppeal.strike_id) == col(Strike.id))
        .where(Strike.worker_id == worker_id)
        .order_by(col(Strike.occurred_at).desc(), col(Strike.id).desc())
    ).all()
    starts = _completed_starts(session, [worker_id])[worker_id] if rows else []
    views = []
    for strike, job, appeal in rows:
        clean = _clean(strike, starts)
        views.append(StrikeView(strike, job, appeal, clean, _state(strike, clean)))
    return WorkerRecord(strikes=views)


def active_strike_counts(*, session: Session, worker_ids: Sequence[int]) -> dict[int, int]:
    """How many strikes of each worker still count (0 for a worker with none)."""
    counts = dict.fromkeys(worker_ids, 0)
    if not worker_ids:
        return counts
    strikes = session.exec(
        select(Strike).where(
            col(Strike.worker_id).in_(list(worker_ids)), col(Strike.voided_at).is_(None)
        )
    ).all()
    starts = _completed_starts(session, {s.worker_id for s in strikes}) if strikes else {}
    for strike in strikes:
        if _clean(strike, starts.get(strike.worker_id, [])) < CLEAN_SHIFTS_TO_EXPIRE:
            counts[strike.worker_id] += 1
    return counts


def get_worker_strike(*, session: Session, strike_id: int, worker_id: int) -> Strike:
    """One of this worker's strikes; anyone else's is not found."""
    strike = session.get(Strike, strike_id)
    if strike is None or strike.worker_id != worker_id:
        raise NotFound(N_("Strike not found"))
    return strike


def appeal_file(
    *, session: Session, strike_id: int, worker: User, text: str, now: datetime | None = None
) -> StrikeAppeal:
    """The worker appeals one of their strikes, once, saying what happened."""
    now = now or utcnow()
    strike = get_worker_strike(session=session, strike_id=strike_id, worker_id=worker.id or 0)
    if strike.voided_at is not None:
        raise Conflict(N_("This strike is already voided"))
    existing = session.exec(select(StrikeAppeal).where(StrikeAppeal.strike_id == strike_id)).first()
    if existing is not None:
        raise Conflict(N_("You have already appealed this strike"))
    appeal = StrikeAppeal(
        strike_id=strike_id, worker_id=strike.worker_id, text=text, created_at=now
    )
    session.add(appeal)
    session.flush()
    event_record(
        session=session,
        kind="strike.appealed",
        job_id=strike.job_id,
        worker_id=strike.worker_id,
        payload={"appeal": appeal.id, "strike": strike.id},
    )
    return appeal


def appeal_decide(
    *,
    session: Session,
    appeal_id: int,
    staff: User,
    upheld: bool,
    reason: str,
    now: datetime | None = None,
) -> StrikeAppeal:
    """Staff decide an open appeal: upheld voids the strike, rejected keeps it; who and why
    are kept on the appeal, and the worker is told through the outbox."""
    now = now or utcnow()
    appeal = session.get(StrikeAppeal, appeal_id)
    if appeal is None:
        raise NotFound(N_("Appeal not found"))
    if appeal.status != AppealStatus.open:
        raise Conflict(N_("This appeal has already been decided"))
    strike = session.get_one(Strike, appeal.strike_id)
    appeal.status = AppealStatus.upheld if upheld else AppealStatus.rejected
    appeal.decided_by, appeal.decided_at, appeal.decision_reason = staff.id, now, reason
    session.add(appeal)
    if upheld:
        strike.voided_at = now
        session.add(strike)
    event_record(
        session=session,
        kind="strike.appeal_decided",
        job_id=strike.job_id,
        worker_id=strike.worker_id,
        payload={
            "appeal": appeal.id,
            "strike": strike.id,
            "outcome": appeal.status,
            "reason": reason,
        },
    )
    session.flush()
    return appeal


@dataclass(frozen=True)
class OpenAppeal:
    appeal: StrikeAppeal
    strike: StrikeView
    worker: User
    active_strikes: int  # the worker's strikes that still count, this one included


def list_open_appeals(*, session: Session, limit: int = 100) -> list[OpenAppeal]:
    """Appeals waiting for a decision, oldest first, with the worker's active strikes."""
    rows = session.exec(
        select(StrikeAppeal, Strike, Job, User)
        .join(Strike, col(Strike.id) == col(StrikeAppeal.strike_id))
        .join(Job, col(Job.id) == col(Strike.job_id))
        .join(User, col(User.id) == col(StrikeAppeal.worker_id))
        .where(StrikeAppeal.status == AppealStatus.open)
        .order_by(col(StrikeAppeal.created_at), col(StrikeAppeal.id))
        .limit(limit)
    ).all()
    worker_ids = [w.id or 0 for *_, w in rows]
    counts = active_strike_counts(session=session, worker_ids=worker_ids)
    starts = _completed_starts(session, worker_ids) if rows else {}
    appeals = []
    for appeal, strike, job, worker in rows:
        clean = _clean(strike, starts.get(worker.id or 0, []))
        view = StrikeView(strike, job, appeal, clean, _state(strike, clean))
        appeals.append(OpenAppeal(appeal, view, worker, counts[worker.id or 0]))
    return appeals
