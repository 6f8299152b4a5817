"""An employer's jobs and applicants: what needs an answer first, in the employer's words."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.models import WorkerProfile
from tests.factories import make_employer, make_job, make_worker, tomorrow_at
from tests.staff_factories import make_application
from tests.web.pages.staff.helpers import log_in


def test_my_jobs_counts_waiting_applicants_and_puts_the_soonest_shift_first(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    later = make_job(
        session, employer=employer, title="下周的活", start_at=tomorrow_at(1) + timedelta(days=6)
    )
    sooner = make_job(session, employer=employer, title="明天的活", start_at=tomorrow_at(1))
    for status in ("applied", "applied", "confirmed"):
        make_application(session, job=sooner, worker=make_worker(session), status=status)
    session.commit()
    log_in(client, employer, page="/employer/jobs")
    html = client.get("/employer/jobs").text
    shown = [int(i) for i in re.findall(r'id="job-(\d+)"', html)]
    assert shown == [sooner.id, later.id]
    card = html.split(f'id="job-{sooner.id}"')[1].split("</article>")[0]
    assert "2 人待你确认" in card
    assert "待你确认" not in html.split(f'id="job-{later.id}"')[1].split("</article>")[0]


def test_an_applicant_shows_trades_stars_and_jobs_done_with_the_employers_wording(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    job = make_job(session, employer=employer)
    worker = make_worker(session, name="赵师傅", trades=(("painter", 3), ("plasterer", 1)))
    profile = session.exec(select(WorkerProfile).where(WorkerProfile.user_id == worker.id)).one()
    profile.completed_total, profile.rating_sum, profile.rating_count = 12, 9, 2
    session.add(profile)
    make_application(session, job=job, worker=worker, status="applied", hired=False)
    session.commit()
    log_in(client, employer, page="/employer/jobs")
    html = client.get(f"/employer/jobs/{job.id}").text
    card = html.split('class="card applicant"')[1].split("</article>")[0]
    assert "赵师傅" in card and "油漆工" in card and "抹灰工" in card
    assert "★ 4.5" in card and "干过 12 个活" in card
    assert "待你确认" in card and "等待用工方确认" not in card
    assert worker.phone not in html  # not hired: no phone
