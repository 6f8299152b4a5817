"""An employer's late call-offs count against the employer the way a worker's count.

An employer who calls off confirmed work under `LATE_CALL_OFF` before its start (one hire,
or the whole job) gets a strike, written with the call-off and announced like a worker's.
It counts until `CLEAN_SHIFTS_TO_EXPIRE` of the employer's jobs that started after it were
worked (a hire completed), and workers see how many count now beside each of the
employer's jobs. The lifetime total stays on the employer's profile for staff.

The threshold is the workers' 12 hours: the same rule for both sides (it was 24 hours for
employers before, a difference nobody had decided).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from market.events.service import event_record
from market.models import Application, ApplicationStatus, EmployerProfile, EmployerStrike, Job
from market.reliability.service import CLEAN_SHIFTS_TO_EXPIRE, HOUR, LATE_CALL_OFF


def employer_strike_on_call_off(
    *,
    session: Session,
    job: Job,
    now: datetime,
    application: Application | None = None,
    hired: int = 1,
) -> EmployerStrike | None:
    """A strike when the employer calls confirmed work off under `LATE_CALL_OFF` before it."""
    left = job.start_at - now
    if left >= LATE_CALL_OFF or hired <= 0:
        return None
    strike = EmployerStrike(
        employer_id=job.employer_id,
        job_id=job.id or 0,
        application_id=application.id if application is not None else None,
        hired=hired,
        occurred_at=now,
        hours_before=round(left / HOUR, 1),
    )
    session.add(strike)
    profile = session.get(EmployerProfile, job.employer_id)
    if profile is not None:
        profile.late_cancel_total += 1
        session.add(profile)
    session.flush()
    event_record(
        session=session,
        kind="employer_strike.recorded",
        job_id=job.id,
        employer_id=job.employer_id,
        payload={"strike": strike.id, "hired": hired, "hours_before": strike.hours_before},
    )
    return strike


def active_employer_strikes(*, session: Session, employer_ids: Sequence[int]) -> dict[int, int]:
    """How many late call-offs of each employer still count (0 for one with none)."""
    counts = dict.fromkeys(employer_ids, 0)
    if not employer_ids:
        return counts
    strikes = session.exec(
        select(EmployerStrike).where(col(EmployerStrike.employer_id).in_(list(employer_ids)))
    ).all()
    if not strikes:
        return counts
    worked = session.exec(
        select(Job.id, Job.employer_id, Job.start_at).where(
            col(Job.employer_id).in_({s.employer_id for s in strikes}),
            col(Job.id).in_(
                select(Application.job_id).where(Application.status == ApplicationStatus.completed)
            ),
        )
    ).all()
    starts: dict[int, list[datetime]] = defaultdict(list)
    for _job_id, employer_id, start in worked:
        starts[employer_id].append(start)
    for strike in strikes:
        clean = sum(1 for s in starts[strike.employer_id] if s > strike.occurred_at)
        if clean < CLEAN_SHIFTS_TO_EXPIRE:
            counts[strike.employer_id] += 1
    return counts
