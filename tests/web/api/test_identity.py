"""A worker's legal name and ID number over HTTP: theirs to give and see (masked), on their
evidence sheets and for staff on their case; never an employer's to see, never logged."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from market.models import User, WorkerIdentity
from market.workers import identity as identity_service
from tests.factories import auth, make_employer, make_staff, make_worker
from tests.market.work.work_factories import make_hire
from tests.web.pages.forms import log_in
from tests.web.pages.staff.helpers import make_report

NUMBER = "370602198503121230"  # made with the check digit, not a real person's
MASKED = "3706**********1230"
EN = {"Accept-Language": "en"}


def test_the_number_above_adds_up() -> None:
    assert identity_service.normalise_id_number(NUMBER) == NUMBER


def test_a_worker_gives_sees_masked_and_removes_their_identity(
    client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    worker = make_worker(session)
    headers = auth(session, worker)
    session.commit()
    assert client.get("/api/v1/worker/identity", headers=headers).json() is None
    put = client.put(
        "/api/v1/worker/identity",
        json={"legal_name": "王建国", "id_number": NUMBER},
        headers=headers,
    )
    assert put.status_code == 200, put.text
    assert put.json() == {"legal_name": "王建国", "id_number_masked": MASKED}
    assert NUMBER not in put.text
    assert (
        client.get("/api/v1/worker/identity", headers=headers).json()["id_number_masked"] == MASKED
    )
    exported = client.get("/api/v1/me/export", headers=headers).json()
    assert exported["identity"] == {"legal_name": "王建国", "id_number": NUMBER}
    assert NUMBER not in caplog.text and NUMBER[6:14] not in caplog.text  # never logged
    assert client.delete("/api/v1/worker/identity", headers=headers).status_code == 204
    assert session.get(WorkerIdentity, worker.id) is None


@pytest.mark.parametrize(
    ("number", "zh", "en"),
    [
        (NUMBER[:17] + "1", "校验位不对", "does not add up"),
        ("37060219850230123" + "0", "出生日期不对", "not a real date"),
        ("3706021985", "18 位", "18 characters"),
    ],
)
def test_a_bad_number_is_a_clear_422_in_both_languages_writing_nothing(
    client: TestClient, session: Session, number: str, zh: str, en: str
) -> None:
    worker = make_worker(session)
    headers = auth(session, worker)
    session.commit()
    body = {"legal_name": "王建国", "id_number": number}
    answer = client.put("/api/v1/worker/identity", json=body, headers=headers)
    assert answer.status_code == 422 and zh in answer.json()["detail"]
    assert answer.json()["errors"][0]["field"] == "id_number"
    answer = client.put("/api/v1/worker/identity", json=body, headers={**headers, **EN})
    assert answer.status_code == 422 and en in answer.json()["detail"]
    assert number not in answer.text
    assert session.get(WorkerIdentity, worker.id) is None


def test_an_employer_can_reach_no_identity_and_sees_none_of_the_hired_worker(
    client: TestClient, session: Session
) -> None:
    application, job = make_hire(session, start_at=datetime.now(UTC) - timedelta(hours=2))
    worker = session.get_one(User, application.worker_id)
    identity_service.identity_set(
        session=session, worker=worker, legal_name="王建国", id_number=NUMBER
    )
    employer = session.get_one(User, job.employer_id)
    headers = auth(session, employer)
    session.commit()
    assert client.get("/api/v1/worker/identity", headers=headers).status_code == 403
    put = client.put(
        "/api/v1/worker/identity", json={"legal_name": "x", "id_number": NUMBER}, headers=headers
    )
    assert put.status_code == 403
    for path in (
        f"/api/v1/jobs/{job.id}/applications",
        f"/api/v1/jobs/{job.id}",
        f"/api/v1/work/records/{application.id}",
        "/api/v1/me/export",
    ):
        answer = client.get(path, headers=headers)
        assert answer.status_code < 500, path
        assert NUMBER not in answer.text and MASKED not in answer.text, path
        assert "王建国" not in answer.text or path == f"/api/v1/jobs/{job.id}/applications", path


def test_the_profile_form_takes_the_number_and_refuses_a_bad_one_in_chinese(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    session.commit()
    csrf = log_in(client, worker, switch=True)
    bad = client.post(
        "/profile/identity",
        data={"csrf_token": csrf, "legal_name": "王建国", "id_number": NUMBER[:17] + "1"},
    )
    assert bad.status_code == 422 and "校验位不对" in bad.text
    assert 'id="id_number"' in bad.text
    session.expire_all()
    assert session.get(WorkerIdentity, worker.id) is None
    saved = client.post(
        "/profile/identity",
        data={"csrf_token": csrf, "legal_name": "王建国", "id_number": NUMBER},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = client.get(saved.headers["location"]).text
    assert "真实姓名和身份证号已保存" in page
    assert f'value="{NUMBER}"' in page  # in full on the worker's own edit form only
    assert MASKED in page


def test_evidence_sheet_shows_it_masked_to_the_worker_and_staff_never_to_the_employer(
    client: TestClient, session: Session
) -> None:
    application, job = make_hire(session, start_at=datetime.now(UTC) - timedelta(hours=3))
    worker = session.get_one(User, application.worker_id)
    employer = session.get_one(User, job.employer_id)
    staff = make_staff(session)
    identity_service.identity_set(
        session=session, worker=worker, legal_name="王建国", id_number=NUMBER
    )
    session.commit()
    sheet = f"/work/records/{application.id}/evidence"
    for who in (worker, staff):
        log_in(client, who, switch=True)
        page = client.get(sheet).text
        assert MASKED in page and "王建国" in page and NUMBER not in page
    log_in(client, worker, switch=True)
    by_employer = client.get(f"/my/pay/employers/{employer.id}/evidence").text
    assert MASKED in by_employer and NUMBER not in by_employer
    log_in(client, employer, switch=True)
    answer = client.get(sheet)
    assert answer.status_code == 200
    assert MASKED not in answer.text and NUMBER not in answer.text
    assert "真实姓名和身份证号" not in answer.text
    for path in (f"/employer/jobs/{job.id}/work", f"/employer/jobs/{job.id}"):
        page = client.get(path)
        assert MASKED not in page.text and NUMBER not in page.text, path


def test_staff_see_it_masked_on_a_report_of_that_worker(
    client: TestClient, session: Session
) -> None:
    report = make_report(session)
    worker = session.get_one(User, report.worker_id)
    identity_service.identity_set(
        session=session, worker=worker, legal_name="王建国", id_number=NUMBER
    )
    other = make_employer(session)
    session.commit()
    log_in(client, _staff(session), switch=True)
    page = client.get(f"/staff/reports/{report.id}").text
    assert 'id="worker-identity"' in page and MASKED in page and NUMBER not in page
    log_in(client, other, switch=True)
    assert client.get(f"/staff/reports/{report.id}").status_code in (401, 403, 404)


def _staff(session: Session) -> User:
    staff = make_staff(session)
    session.commit()
    return staff
