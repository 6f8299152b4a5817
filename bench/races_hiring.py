"""The hiring races of `python -m bench races`: claims, confirmations and new terms."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bench.races_cast import Cast, Result, all_at_once, day_at, said, tally, verdict
from market.applications import service as application_service
from market.applications import terms as terms_service
from market.db import session_scope
from market.jobs import service as job_service
from market.jobs.schemas import JobUpdate
from market.models import Application, Job, User

CLAIMS, SLOTS = 200, 5  # the race: keep it at 200 on 5
OVERLAPPING = 10
CUT_JOBS = 8
ACCEPTS = 50
FULL = "This job is full"
CLASH = "You are already booked for another job at this time"
HIRED_ALREADY = "Workers are already hired at {wage} yuan: the pay can only go up, never down"
NOT_ACCEPTED = (
    "The terms changed after this worker applied: they must accept the new terms before "
    "you can hire them"
)


def _claim(engine: Engine, job_id: int, worker: User) -> str:
    with session_scope(engine) as s:
        claim = application_service.application_claim(session=s, job_id=job_id, worker=worker)
        return claim.application.status


def _edit(engine: Engine, job_id: int, **fields: Any) -> int:
    with session_scope(engine) as s:
        job = job_service.get_job(session=s, job_id=job_id)
        return job_service.job_update(session=s, job=job, data=JobUpdate(**fields)).terms_version


def _confirm(engine: Engine, application_id: int, employer: User) -> str:
    with session_scope(engine) as s:
        application = application_service.get_application(session=s, application_id=application_id)
        return application_service.application_confirm(
            session=s, application=application, employer=employer
        ).status


def _hires(session: Session, *where: Any) -> int:
    query = select(func.count()).select_from(Application).where(*where)
    return session.exec(query.where(Application.status == "confirmed")).one()


def claims_on_a_full_job(engine: Engine) -> Result:
    """200 workers claim a 5-slot instant job at once: 5 hired, 195 told it is full."""
    with session_scope(engine) as s:
        cast = Cast(s, seed=1)
        job = cast.job(cast.employer(), start=day_at(1, 8), headcount=SLOTS, instant=True)
        workers = cast.workers(CLAIMS)
    job_id = job.id or 0
    counts = tally(all_at_once(CLAIMS, lambda i: _claim(engine, job_id, workers[i])))
    with Session(engine) as s:
        stored = s.get_one(Job, job_id)
        observed = {
            "outcomes": counts,
            "job": (stored.confirmed_count, stored.status),
            "hires stored": _hires(s, Application.job_id == job_id),
        }
    line = (
        f"claims on a {SLOTS}-slot job: {counts['confirmed']} hired, {counts[FULL]} refused as full"
    )
    return verdict(
        line,
        observed,
        {
            "outcomes": Counter({"confirmed": SLOTS, FULL: CLAIMS - SLOTS}),
            "job": (SLOTS, "filled"),
            "hires stored": SLOTS,
        },
    )


def claims_on_overlapping_shifts(engine: Engine) -> Result:
    """One worker claims 10 instant jobs whose shifts overlap, all at once: one hire."""
    start = day_at(1, 8)
    with session_scope(engine) as s:
        cast = Cast(s, seed=2)
        employer, [worker] = cast.employer(), cast.workers(1)
        jobs = [
            cast.job(employer, start=start + timedelta(minutes=20 * i), headcount=1, instant=True)
            for i in range(OVERLAPPING)
        ]
    counts = tally(all_at_once(OVERLAPPING, lambda i: _claim(engine, jobs[i].id or 0, worker)))
    with Session(engine) as s:
        hires = _hires(s, Application.worker_id == worker.id)
    line = (
        f"one worker's claims on {OVERLAPPING} overlapping shifts: {counts['confirmed']} "
        f"confirmed, {counts[CLASH]} refused as a clash"
    )
    return verdict(
        line,
        {"outcomes": counts, "hires stored": hires},
        {"outcomes": Counter({"confirmed": 1, CLASH: OVERLAPPING - 1}), "hires stored": 1},
    )


def confirms_racing_pay_cuts(engine: Engine) -> Result:
    """On 8 one-slot jobs the employer confirms the applicant while cutting 400 to 300:
    either the hire wins at 400 and the cut is refused, or the cut wins and the
    application goes back to its worker; nobody is hired below what they accepted."""
    with session_scope(engine) as s:
        cast = Cast(s, seed=3)
        employer = cast.employer()
        pairs = []
        for _ in range(CUT_JOBS):
            job = cast.job(employer, start=day_at(1, 8), headcount=1, wage=400)
            pairs.append((job.id or 0, cast.apply(job, cast.workers(1)[0])))

    def race(i: int) -> object:
        job_id, application_id = pairs[i // 2]
        if i % 2 == 0:
            return _confirm(engine, application_id, employer)
        return _edit(engine, job_id, wage=300)

    outcomes = [said(o) for o in all_at_once(2 * CUT_JOBS, race)]
    ends: Counter[str] = Counter()
    below = 0
    with Session(engine) as s:
        for k, (job_id, application_id) in enumerate(pairs):
            job, a = s.get_one(Job, job_id), s.get_one(Application, application_id)
            seen = (outcomes[2 * k], outcomes[2 * k + 1], job.wage, job.terms_version, a.status)
            paid = (a.agreed_wage, a.confirmed_wage)
            if seen == ("confirmed", HIRED_ALREADY, 400, 1, "confirmed") and paid == (400, 400):
                ends["hire first"] += 1
            elif seen == (NOT_ACCEPTED, "2", 300, 2, "applied") and a.agreed_wage == 400:
                ends["cut first"] += 1
            if a.status == "confirmed" and (a.confirmed_wage or 0) < a.agreed_wage:
                below += 1
    line = (
        f"confirms racing pay cuts on {CUT_JOBS} jobs: {ends['hire first']} hired at the 400 "
        f"they accepted (the cut refused), {ends['cut first']} cut first (the hire refused until "
        f"the worker accepts), {below} hired below the terms they accepted"
    )
    return verdict(
        line,
        {"jobs ending either way": ends.total(), "hired below": below},
        {"jobs ending either way": CUT_JOBS, "hired below": 0},
    )


def accepting_while_the_pay_rises(engine: Engine) -> Result:
    """50 workers accept the cut terms (version 2) while the employer raises the pay:
    a raise asks nobody again, so every acceptance holds and every worker gets the raise."""
    with session_scope(engine) as s:
        cast = Cast(s, seed=4)
        job = cast.job(cast.employer(), start=day_at(1, 8), headcount=ACCEPTS, wage=400)
        workers = cast.workers(ACCEPTS)
        applications = [cast.apply(job, w) for w in workers]
    job_id = job.id or 0
    _edit(engine, job_id, wage=300)  # a cut before any hire: every worker is asked again

    def race(i: int) -> object:
        if i == ACCEPTS:
            return _edit(engine, job_id, wage=350)
        with session_scope(engine) as s:
            application = application_service.get_application(
                session=s, application_id=applications[i]
            )
            return terms_service.application_accept_terms(
                session=s, application=application, worker=workers[i], terms_version=2
            ).terms_version

    outcomes = all_at_once(ACCEPTS + 1, race)
    with Session(engine) as s:
        rows = s.exec(select(Application).where(Application.job_id == job_id)).all()
        held = Counter((a.agreed_wage, a.terms_version) for a in rows)
    accepts = tally(outcomes[:ACCEPTS])
    line = (
        f"{ACCEPTS} workers accepting new terms while the pay rises: {accepts['2']} accepted, "
        f"{held[(350, 2)]} hold the raise to 350"
    )
    return verdict(
        line,
        {"acceptances": accepts, "raise": said(outcomes[ACCEPTS]), "terms held": held},
        {
            "acceptances": Counter({"2": ACCEPTS}),
            "raise": "2",
            "terms held": Counter({(350, 2): ACCEPTS}),
        },
    )


RACES = (
    claims_on_a_full_job,
    claims_on_overlapping_shifts,
    confirms_racing_pay_cuts,
    accepting_while_the_pay_rises,
)
