"""The work-record races of `python -m bench races`: check-ins, payment answers, arrears."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bench.races_cast import Cast, Result, all_at_once, day_at, said, tally, verdict
from market.db import session_scope
from market.errors import DomainError
from market.models import Application, Attendance, Report, User, WorkAnswer
from market.work import arrears
from market.work import service as work_service
from market.work.codes import attendance_code
from market.work.schemas import CheckIn, PaymentCreate, PaymentDispute

TAPS = 8
ANSWERED = 5
SWEPT = 4


class Hired(NamedTuple):
    employer: User
    workers: list[User]
    applications: list[int]
    job_id: int


def _hired(engine: Engine, *, seed: int, hires: int, start: datetime) -> Hired:
    """An instant job posted two days before its 8-hour shift, claimed through the services."""
    posted = start - timedelta(days=2)
    with session_scope(engine) as s:
        cast = Cast(s, seed=seed)
        employer = cast.employer()
        job = cast.job(employer, start=start, headcount=hires, instant=True, posted=posted)
        workers = cast.workers(hires)
        ids = [cast.apply(job, w, now=posted) for w in workers]
    return Hired(employer, workers, ids, job.id or 0)


def check_ins_at_once(engine: Engine) -> Result:
    """The worker types the day's code and the employer taps check-in, 8 times at once."""
    now = day_at(0, 9)
    employer, [worker], [application_id], job_id = _hired(
        engine, seed=5, hires=1, start=day_at(0, 8)
    )
    code = attendance_code(job_id=job_id, day=now.date())

    def check_in(i: int) -> str:
        with session_scope(engine) as s:
            work_service.attendance_record(
                session=s,
                application=s.get_one(Application, application_id),
                user=worker if i % 2 else employer,
                kind="check_in",
                data=CheckIn(code=code) if i % 2 else CheckIn(at=now),
                now=now,
            )
            return "recorded"

    outcomes = all_at_once(TAPS, check_in)
    refused = sum(isinstance(o, DomainError) for o in outcomes)
    with Session(engine) as s:
        stored = s.exec(
            select(func.count()).where(Attendance.application_id == application_id)
        ).one()
    line = (
        f"{TAPS} check-ins at once for one hire: {outcomes.count('recorded')} recorded, "
        f"{refused} refused as already recorded"
    )
    return verdict(
        line,
        {"recorded": outcomes.count("recorded"), "refused": refused, "stored": stored},
        {"recorded": 1, "refused": TAPS - 1, "stored": 1},
    )


def confirmations_racing_disputes(engine: Engine) -> Result:
    """On 5 payments the worker taps confirm and dispute at once: one answer each."""
    now = day_at(0, 9)
    employer, workers, ids, _job_id = _hired(engine, seed=6, hires=ANSWERED, start=day_at(0, 8))
    payments = _pay(engine, employer, ids, amount=300, now=now)

    def answer(i: int) -> str:
        with session_scope(engine) as s:
            payment = work_service.get_payment(session=s, payment_id=payments[i // 2])
            worker = workers[i // 2]
            if i % 2:
                work_service.payment_confirm(session=s, payment=payment, user=worker, now=now)
                return "confirmed"
            dispute = PaymentDispute(received=100)
            work_service.payment_dispute(
                session=s, payment=payment, user=worker, data=dispute, now=now
            )
            return "disputed"

    outcomes = all_at_once(2 * ANSWERED, answer)
    counts = tally(outcomes)
    refused = sum(isinstance(o, DomainError) for o in outcomes)
    with Session(engine) as s:
        verdicts = Counter(
            s.exec(select(WorkAnswer.verdict).where(col(WorkAnswer.payment_id).in_(payments)))
        )
        cases = Counter(
            s.exec(select(Report.application_id).where(col(Report.application_id).in_(ids)))
        )
    line = (
        f"confirmations racing disputes on {ANSWERED} payments: "
        f"{counts['confirmed'] + counts['disputed']} answered ({counts['confirmed']} confirmed, "
        f"{counts['disputed']} disputed), {refused} refused; arrears cases opened: {cases.total()}"
    )
    answered = Counter({k: counts[k] for k in ("confirmed", "disputed") if counts[k]})
    return verdict(
        line,
        {
            "answers": answered.total(),
            "refused": refused,
            "answers stored": verdicts,
            "cases, hires with one": (cases.total(), len(cases)),
        },
        {
            "answers": ANSWERED,
            "refused": ANSWERED,
            "answers stored": answered,
            "cases, hires with one": (counts["disputed"], counts["disputed"]),
        },
    )


def _pay(
    engine: Engine, employer: User, ids: list[int], *, amount: int, now: datetime
) -> list[int]:
    """The employer records a payment for each hire: the payments' ids."""
    with session_scope(engine) as s:
        return [
            work_service.payment_record(
                session=s,
                application=s.get_one(Application, application_id),
                user=employer,
                data=PaymentCreate(amount=amount, method="cash"),
                now=now,
            ).id
            or 0
            for application_id in ids
        ]


def sweeps_racing_disputes(engine: Engine) -> Result:
    """Four hires of six days ago, underpaid: their workers dispute while four arrears
    sweeps run. Each hire ends with exactly one case."""
    start = day_at(-6, 8)
    employer, workers, ids, _job_id = _hired(engine, seed=7, hires=SWEPT, start=start)
    payments = _pay(engine, employer, ids, amount=50, now=start + timedelta(hours=9))
    now = day_at(0, 9)

    def act(i: int) -> int:
        with session_scope(engine) as s:
            if i < SWEPT:
                payment = work_service.get_payment(session=s, payment_id=payments[i])
                data = PaymentDispute(received=0)
                work_service.payment_dispute(
                    session=s, payment=payment, user=workers[i], data=data, now=now
                )
                return 0
            return len(arrears.arrears_sweep(session=s, now=now, days=3))

    outcomes = all_at_once(2 * SWEPT, act)
    errors = [said(o) for o in outcomes if isinstance(o, Exception)]
    with Session(engine) as s:
        cases = Counter(
            s.exec(select(Report.application_id).where(col(Report.application_id).in_(ids)))
        )
    line = (
        f"arrears sweeps racing disputes on {SWEPT} hires: {cases.total()} cases "
        f"for {len(cases)} hires"
    )
    return verdict(
        line,
        {"errors": errors, "cases": cases},
        {"errors": [], "cases": Counter(dict.fromkeys(ids, 1))},
    )


RACES = (check_ins_at_once, confirmations_racing_disputes, sweeps_racing_disputes)
