"""Invites under real concurrency (threads, real commits, SQLite and PostgreSQL): ten invites
to a one-place job at once, three get through (the cap), the rest are refused clearly."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import select

from market.db import session_scope
from market.errors import Conflict
from market.invites import service as invite_service
from market.models import Invite, User
from tests.concurrency import all_at_once
from tests.factories import make_job, make_worker


def test_simultaneous_invites_stop_at_the_cap(fresh_engine: Engine) -> None:
    with session_scope(fresh_engine) as s:
        job = make_job(s, headcount=1)
        job_id, employer_id = job.id or 0, job.employer_id
        workers = [make_worker(s).id or 0 for _ in range(10)]

    def invite(i: int) -> int:
        with session_scope(fresh_engine) as s:
            employer = s.get_one(User, employer_id)
            sent = invite_service.invite_send(
                session=s, job_id=job_id, employer=employer, worker_id=workers[i]
            )
            return sent.id or 0

    outcomes = all_at_once(10, invite)
    sent = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(sent), len(refused)) == (3, 7), outcomes
    assert {r.message for r in refused} == {
        "At most {n} invites can wait for an answer on this job"
    }
    with session_scope(fresh_engine) as s:
        assert len(s.exec(select(Invite).where(Invite.job_id == job_id)).all()) == 3
