"""Changed terms on the phone pages, without JavaScript: the worker sees them and accepts."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.applications import service as application_service
from market.i18n import local
from market.jobs import service as job_service
from market.jobs.schemas import JobUpdate
from market.models import Application, Job, User, WageFloor, WageFloorRefusal
from market.types import utcnow
from tests.factories import make_employer, make_job, make_worker
from tests.web.pages.forms import log_in


def _pending_cut(session: Session) -> tuple[User, User, Job, Application]:
    """A worker applied at 400; the employer then cut the pay to 300 (before any hire)."""
    employer, worker = make_employer(session), make_worker(session)
    job = make_job(session, employer=employer, wage=400, title="刷墙")
    application = application_service.application_claim(
        session=session, job_id=job.id or 0, worker=worker
    ).application
    job_service.job_update(session=session, job=job, data=JobUpdate(wage=300))
    session.commit()
    return employer, worker, job, application


def test_the_worker_sees_the_changed_terms_and_accepts_them(
    client: TestClient, session: Session
) -> None:
    _employer, worker, _job, application = _pending_cut(session)
    token = log_in(client, worker, "/my/jobs")
    page = client.get("/my/jobs").text
    assert "条件已变更，请重新确认" in page
    assert "<s>¥400</s> → <strong>¥300</strong>" in page
    assert f'action="/my/applications/{application.id}/accept-terms"' in page
    assert 'name="terms_version" value="2"' in page

    answer = client.post(
        f"/my/applications/{application.id}/accept-terms",
        data={"csrf_token": token, "terms_version": "2"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/my/jobs?ok=accepted#application-{application.id}"
    after = client.get(answer.headers["location"]).text
    assert "您已接受新条件，用工方现在可以录用您了。" in after
    assert "条件已变更" not in after
    session.refresh(application)
    assert (application.agreed_wage, application.terms_version) == (300, 2)


def test_accepting_terms_that_changed_again_shows_why_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    _employer, worker, job, application = _pending_cut(session)
    token = log_in(client, worker, "/my/jobs")
    job_service.job_update(session=session, job=job, data=JobUpdate(wage=280))
    session.commit()
    for version, status in (("2", 409), ("abc", 422)):
        answer = client.post(
            f"/my/applications/{application.id}/accept-terms",
            data={"csrf_token": token, "terms_version": version},
        )
        assert answer.status_code == status
        assert "<html" in answer.text  # a page, not JSON
    session.refresh(application)
    assert (application.agreed_wage, application.terms_version) == (400, 1)


def test_the_employer_sees_the_worker_must_accept_first(
    client: TestClient, session: Session
) -> None:
    employer, _worker, job, application = _pending_cut(session)
    token = log_in(client, employer, f"/employer/jobs/{job.id}")
    page = client.get(f"/employer/jobs/{job.id}").text
    assert "正在等工人接受新条件" in page
    assert f"/employer/applications/{application.id}/confirm" not in page
    refused = client.post(
        f"/employer/applications/{application.id}/confirm", data={"csrf_token": token}
    )
    assert refused.status_code == 409
    assert "需工人接受新条件后才能录用" in refused.text


def test_the_hired_workers_page_shows_the_agreed_pay_and_place(
    client: TestClient, session: Session
) -> None:
    employer, worker = make_employer(session), make_worker(session)
    job = make_job(session, employer=employer, wage=400, instant=True)
    application_service.application_claim(session=session, job_id=job.id or 0, worker=worker)
    session.commit()
    log_in(client, worker, "/my/jobs")
    # an edit that got past the services (a bug, a hand edit) still leaves the agreement
    job.wage, job.address = 50, "另一个城市"
    session.add(job)
    session.commit()
    page = client.get("/my/jobs").text
    assert "¥400" in page and "烟台市芝罘区南大街" in page
    assert "¥50" not in page and "另一个城市" not in page


def test_a_claim_on_a_page_older_than_a_pay_cut_is_refused(
    client: TestClient, session: Session
) -> None:
    job = make_job(session, wage=400, instant=True)
    worker = make_worker(session)
    session.commit()
    token = log_in(client, worker, f"/jobs/{job.id}/claim")
    assert f"/jobs/{job.id}/claim?terms=1" in client.get(f"/jobs/{job.id}/claim").text
    job_service.job_update(session=session, job=job, data=JobUpdate(wage=300))
    session.commit()
    stale = client.post(f"/jobs/{job.id}/claim?terms=1", data={"csrf_token": token})
    assert stale.status_code == 409
    assert "您打开后这份工作的条件已变更，请重新查看" in stale.text
    assert session.exec(select(Application)).all() == []


def test_an_employer_posting_under_the_floor_sees_it_next_to_the_pay(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    session.add(WageFloor(trade="painter", daily_wage=350))
    session.commit()
    token = log_in(client, employer, "/employer/jobs/new")
    form = {
        "csrf_token": token,
        "trade": "painter",
        "title": "刷墙",
        "address": "只楚路 12 号",
        "district": "芝罘区",
        "date": (local(utcnow()).date() + timedelta(days=2)).isoformat(),
        "start": "08:00",
        "end": "17:00",
        "headcount": "2",
        "wage": "300",
    }
    answer = client.post("/employer/jobs/new", data=form)
    assert answer.status_code == 422
    assert "本工种日薪不得低于 350 元（工会最低标准）" in answer.text
    assert session.exec(select(Job)).all() == []
    assert [r.wage for r in session.exec(select(WageFloorRefusal)).all()] == [300]
