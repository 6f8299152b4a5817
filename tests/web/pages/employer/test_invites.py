"""Invites, blocks and the rehire list on the pages, without JavaScript: the employer invites
a candidate from the job's page, the worker accepts from /my/invites; every bad request is
a clear 4xx in the page's language and writes nothing."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from market.invites import blocks as block_service
from market.jobs import service as job_service
from market.models import Application, Block, Invite, Job, Rehire, User
from market.types import utcnow
from tests.factories import make_employer, make_job, make_worker
from tests.market.service_helpers import hire, snapshot
from tests.web.pages.staff.helpers import log_in


def _job(session: Session, **fields: object) -> Job:
    job = make_job(session, start_at=utcnow() + timedelta(days=1), title="刷外墙", **fields)  # type: ignore[arg-type]
    session.commit()
    return job


def _invite(client: TestClient, token: str, job_id: object, worker_id: object) -> object:
    data = {"csrf_token": token, "job_id": str(job_id), "worker_id": str(worker_id)}
    return client.post("/employer/invites", data=data, follow_redirects=False)


def test_the_employer_invites_a_candidate_and_the_worker_accepts_and_is_hired(
    client: TestClient, session: Session
) -> None:
    job = _job(session, headcount=1)
    worker = make_worker(session, name="孙师傅")
    session.commit()
    employer = session.get_one(User, job.employer_id)
    token = log_in(client, employer, f"/employer/jobs/{job.id}")
    page = client.get(f"/employer/jobs/{job.id}").text
    assert 'action="/employer/invites"' in page and "邀请来做这份工作" in page
    assert worker.phone not in page  # no phone before a hire
    sent = _invite(client, token, job.id, worker.id)
    assert sent.status_code == 303  # type: ignore[attr-defined]
    after = client.get(sent.headers["location"]).text  # type: ignore[attr-defined]
    assert "已邀请，等待回复" in after and worker.phone not in after

    token = log_in(client, worker, "/my/invites")
    assert "用工方邀请" in client.get("/my/jobs").text
    invites = client.get("/my/invites").text
    invite = session.exec(select(Invite).where(Invite.worker_id == worker.id)).one()
    assert f'action="/my/invites/{invite.id}/accept"' in invites and "刷外墙" in invites
    taken = client.post(
        f"/my/invites/{invite.id}/accept", data={"csrf_token": token}, follow_redirects=False
    )
    assert taken.status_code == 303 and taken.headers["location"].startswith("/my/jobs?ok=claimed")
    session.expire_all()
    application = session.exec(select(Application).where(Application.worker_id == worker.id)).one()
    assert (application.status, session.get_one(Invite, invite.id).status) == (
        "confirmed",
        "accepted",
    )
    again = client.post(f"/my/invites/{invite.id}/decline", data={"csrf_token": token})
    assert again.status_code == 409 and "你已经回复过这个邀请" in again.text


def test_bad_invites_are_refused_clearly_and_write_nothing(
    client: TestClient, session: Session
) -> None:
    job = _job(session)
    others = _job(session)  # another employer's job
    worker, blocked, applicant = make_worker(session), make_worker(session), make_worker(session)
    employer = session.get_one(User, job.employer_id)
    block_service.block_add(session=session, user=employer, other_id=blocked.id or 0)
    hire(session, job=job, worker=applicant, now=utcnow())
    session.commit()
    token = log_in(client, employer, f"/employer/jobs/{job.id}")
    assert _invite(client, token, job.id, worker.id).status_code == 303  # type: ignore[attr-defined]
    session.commit()
    before = snapshot(session)
    cases = [
        (others.id, worker.id, 404, "找不到"),  # another employer's job
        (job.id, 10**6, 404, "找不到"),  # unknown worker
        (job.id, blocked.id, 409, "不能邀请这个工友做你的工作"),
        (job.id, worker.id, 409, "你已经邀请过这个工友做这份工作"),
        (job.id, applicant.id, 409, "这个工友已经报名了"),
        (job.id, "abc", 422, "请从列表中选择"),
        (job.id, "", 422, "请从列表中选择"),
        ("-1", worker.id, 422, "请从列表中选择"),
        (job.id, "9" * 30, 422, "请从列表中选择"),
    ]
    for job_id, worker_id, status, text in cases:
        answer = _invite(client, token, job_id, worker_id)
        assert answer.status_code == status, (job_id, worker_id, answer.text[:300])  # type: ignore[attr-defined]
        assert text in answer.text, (job_id, worker_id)  # type: ignore[attr-defined]
    english = client.post(
        "/employer/invites",
        data={"csrf_token": token, "job_id": str(job.id), "worker_id": str(worker.id)},
        headers={"Accept-Language": "en"},
    )
    assert english.status_code == 409
    assert "You have already invited this worker to this job" in english.text
    assert snapshot(session) == before


def test_a_worker_blocks_an_employer_from_the_job_page_and_undoes_it(
    client: TestClient, session: Session
) -> None:
    job = _job(session)
    worker = make_worker(session)
    session.commit()
    token = log_in(client, worker, f"/jobs/{job.id}")
    assert f'action="/jobs/{job.id}/block"' in client.get(f"/jobs/{job.id}").text
    blocked = client.post(
        f"/jobs/{job.id}/block", data={"csrf_token": token}, follow_redirects=False
    )
    assert blocked.headers["location"] == "/my/blocks?ok=blocked"
    listed = client.get("/my/blocks").text
    assert f'action="/my/blocks/{job.employer_id}/remove"' in listed
    claim = client.post(f"/jobs/{job.id}/claim", data={"csrf_token": token})
    assert claim.status_code == 409 and "这份工作不接受你的报名" in claim.text
    undone = client.post(
        f"/my/blocks/{job.employer_id}/remove", data={"csrf_token": token}, follow_redirects=False
    )
    assert undone.status_code == 303
    twice = client.post(f"/my/blocks/{job.employer_id}/remove", data={"csrf_token": token})
    assert twice.status_code == 404 and "你没有拉黑这个人" in twice.text
    session.expire_all()
    assert session.exec(select(func.count()).select_from(Block)).one() == 0


def test_an_employer_blocks_a_hired_worker_and_the_hire_stands(
    client: TestClient, session: Session
) -> None:
    job = _job(session)
    worker = make_worker(session)
    application = hire(session, job=job, worker=worker, now=utcnow())
    session.commit()
    employer = session.get_one(User, job.employer_id)
    token = log_in(client, employer, f"/employer/jobs/{job.id}")
    blocked = client.post(
        "/employer/blocks",
        data={"csrf_token": token, "worker_id": str(worker.id)},
        follow_redirects=False,
    )
    assert blocked.headers["location"] == "/employer/blocks?ok=blocked"
    session.expire_all()
    assert session.get_one(Application, application.id).status == "confirmed"
    page = client.get(f"/employer/jobs/{job.id}").text
    assert worker.phone in page  # still hired: the phone is still there to call
    unknown = client.post("/employer/blocks", data={"csrf_token": token, "worker_id": "123456"})
    assert unknown.status_code == 404 and "找不到" in unknown.text


def test_the_rehire_list_after_a_completed_shift_invites_to_an_open_job(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    done = make_job(session, employer=employer, start_at=utcnow() + timedelta(hours=2))
    worker, stranger = make_worker(session, name="钱师傅"), make_worker(session)
    hire(session, job=done, worker=worker, now=utcnow())
    job_service.job_complete(session=session, job=done, now=done.end_at + timedelta(hours=1))
    upcoming = make_job(session, employer=employer, start_at=utcnow() + timedelta(days=2))
    session.commit()
    token = log_in(client, employer, "/employer/rehire")
    refused = client.post(
        "/employer/rehire", data={"csrf_token": token, "worker_id": str(stranger.id)}
    )
    assert refused.status_code == 409 and "只能添加为你完成过工作的工友" in refused.text
    added = client.post(
        "/employer/rehire",
        data={"csrf_token": token, "worker_id": str(worker.id)},
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = client.get("/employer/rehire").text
    assert "钱师傅" in page and "为你干过 1 次" in page and worker.phone not in page
    assert f'<option value="{upcoming.id}">' in page
    sent = _invite(client, token, upcoming.id, worker.id)
    assert sent.status_code == 303  # type: ignore[attr-defined]
    session.expire_all()
    assert (
        session.exec(select(Invite).where(Invite.job_id == upcoming.id)).one().worker_id
        == worker.id
    )
    assert session.get(Rehire, (employer.id, worker.id)) is not None
