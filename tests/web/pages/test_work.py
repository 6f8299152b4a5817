"""The work record's pages in-process: forms without JavaScript, refusals shown next to the
form in the page's language with nothing written, the evidence sheet, the staff console."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.i18n import local
from market.models import Report, User
from market.work import arrears
from tests.factories import make_employer, make_staff, make_worker
from tests.market.work.work_factories import code_on, make_hire
from tests.web.pages.forms import log_in
from tests.web.security.world import row_counts
from web.pages.employer.work import qr_svg

WORK_TABLES = ("attendance", "payment", "work_answer", "report", "event")


def _counts(session: Session) -> dict[str, int]:
    counts = row_counts(session)
    return {t: counts[t] for t in WORK_TABLES}


def test_worker_checks_in_with_the_code_employer_pays_worker_confirms(
    client: TestClient, session: Session
) -> None:
    application, job = make_hire(session, start_at=datetime.now(UTC) - timedelta(hours=2))
    worker = session.get_one(User, application.worker_id)
    employer = session.get_one(User, job.employer_id)
    session.commit()

    csrf = log_in(client, employer, switch=True)
    day = client.get(f"/employer/jobs/{job.id}/work")
    code = code_on(job, datetime.now(UTC))
    assert f"{code[:3]} {code[3:]}" in day.text and "<svg" in day.text  # the code and its QR
    scan = f"http://testserver/work/scan?job={job.id}&code={code}"
    assert str(qr_svg(scan)) in day.text  # the QR code leads to the one-tap check-in

    csrf = log_in(client, worker, switch=True)
    page = client.get(f"/my/work/{application.id}")
    assert "今天的签到码" in page.text and 'inputmode="numeric"' in page.text
    answer = client.post(
        f"/my/work/{application.id}/check-in",
        data={"csrf_token": csrf, "code": code},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"])
    assert "签到成功" in page.text and "签退" in page.text

    csrf = log_in(client, employer, switch=True)
    answer = client.post(
        f"/employer/work/{application.id}/payments",
        data={"csrf_token": csrf, "amount": "300", "method": "wechat", "day": "", "time": ""},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert "等工人确认" in client.get(answer.headers["location"]).text

    csrf = log_in(client, worker, switch=True)
    page = client.get(f"/my/work/{application.id}")
    payment_id = re.search(r"/my/work/payments/(\d+)/confirm", page.text)
    assert payment_id, page.text
    answer = client.post(
        f"/my/work/payments/{payment_id.group(1)}/confirm",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    pay = client.get("/my/pay")
    assert "我的工钱" in pay.text and "¥300" in pay.text and "已付清" in pay.text


def test_a_wrong_code_is_shown_next_to_the_field_in_the_pages_language(
    client: TestClient, session: Session
) -> None:
    application, _job = make_hire(session, start_at=datetime.now(UTC) - timedelta(hours=1))
    csrf = log_in(client, session.get_one(User, application.worker_id), switch=True)
    before = _counts(session)
    for lang, text in (("zh-CN", "签到码不对"), ("en", "Wrong code")):
        answer = client.post(
            f"/my/work/{application.id}/check-in",
            data={"csrf_token": csrf, "code": "000000"},
            headers={"Accept-Language": lang},
        )
        if code_on(_job, datetime.now(UTC)) == "000000":  # one in a million
            return
        assert answer.status_code == 422
        assert text in answer.text and 'id="code-error"' in answer.text
    assert _counts(session) == before


def test_a_bad_payment_form_is_refused_with_nothing_written(
    client: TestClient, session: Session
) -> None:
    application, job = make_hire(session, start_at=datetime.now(UTC) - timedelta(hours=1))
    csrf = log_in(client, session.get_one(User, job.employer_id), switch=True)
    before = _counts(session)
    for amount, text in (("-3", "不能小于 1"), ("99999999", "不能大于 20000"), ("三百", "整数")):
        answer = client.post(
            f"/employer/work/{application.id}/payments",
            data={"csrf_token": csrf, "amount": amount, "method": "cash"},
        )
        assert answer.status_code == 422, answer.text
        assert text in answer.text
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    answer = client.post(
        f"/employer/work/{application.id}/payments",
        data={"csrf_token": csrf, "amount": "100", "method": "cash", "day": tomorrow},
    )
    assert answer.status_code == 422 and "时间不能晚于现在" in answer.text
    assert _counts(session) == before


def test_another_workers_record_and_someone_elses_job_are_not_found(
    client: TestClient, session: Session
) -> None:
    application, job = make_hire(session, start_at=datetime.now(UTC) - timedelta(hours=1))
    stranger = make_worker(session)
    other_employer = make_employer(session)
    session.commit()
    log_in(client, stranger, switch=True)
    assert client.get(f"/my/work/{application.id}").status_code == 404
    assert client.get(f"/work/records/{application.id}/evidence").status_code == 404
    log_in(client, other_employer, switch=True)
    assert client.get(f"/employer/jobs/{job.id}/work").status_code == 403
    assert client.get(f"/work/records/{application.id}/evidence").status_code == 404


def test_a_disputed_payment_becomes_a_staff_case_with_an_evidence_sheet(
    client: TestClient, session: Session
) -> None:
    application, job = make_hire(session, start_at=datetime.now(UTC) - timedelta(hours=3))
    worker = session.get_one(User, application.worker_id)
    employer = session.get_one(User, job.employer_id)
    staff = make_staff(session)
    session.commit()
    csrf = log_in(client, employer, switch=True)
    client.post(
        f"/employer/work/{application.id}/payments",
        data={"csrf_token": csrf, "amount": "300", "method": "cash"},
    )
    csrf = log_in(client, worker, switch=True)
    page = client.get(f"/my/work/{application.id}")
    payment_id = re.search(r"/my/work/payments/(\d+)/dispute", page.text).group(1)  # type: ignore[union-attr]
    answer = client.post(
        f"/my/work/payments/{payment_id}/dispute",
        data={"csrf_token": csrf, "received": "100", "note": "只给了一百"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "工会已立案" in client.get(answer.headers["location"]).text
    case = session.exec(select(Report).where(Report.work_record_id == application.id)).one()

    sheet = client.get(
        f"/work/records/{application.id}/evidence", headers={"Accept-Language": "en"}
    )
    assert sheet.status_code == 200 and '<html lang="zh-CN">' in sheet.text  # always Chinese
    assert "@page { size: A4" in sheet.text and "记工证据单" in sheet.text
    assert (
        "只收到 ¥100" in sheet.text and worker.phone in sheet.text and employer.phone in sheet.text
    )
    # the terms the worker accepted, and when: what a labour inspector asks first
    accepted = local(application.terms_accepted_at).strftime("%Y-%m-%d %H:%M")
    assert f"约定条件时间</th><td>{accepted}" in sheet.text
    assert application.agreed_address in sheet.text

    log_in(client, staff, switch=True)
    console = client.get("/staff/arrears")
    assert f"case-{case.id}" in console.text and "工人对付款有异议" in console.text
    assert client.get(f"/work/records/{application.id}/evidence").status_code == 200
    by_trade = client.get("/staff/arrears?by=trade")
    assert "油漆工" in by_trade.text


def test_staff_stop_an_employer_posting_and_workers_see_the_badge(
    client: TestClient, session: Session
) -> None:
    _application, job = make_hire(session, start_at=datetime.now(UTC) - timedelta(days=5))
    employer = session.get_one(User, job.employer_id)
    staff = make_staff(session)
    (case,) = arrears.arrears_sweep(session=session)
    session.commit()
    csrf = log_in(client, staff, switch=True)
    answer = client.post(
        f"/staff/arrears/employers/{employer.id}/stop",
        data={"csrf_token": csrf, "reason": "欠薪"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "暂停" in client.get("/staff/arrears").text

    csrf = log_in(client, employer, switch=True)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    form = {
        "csrf_token": csrf,
        "trade": "painter",
        "address": "芝罘区只楚路 12 号",
        "district": "芝罘区",
        "date": tomorrow,
        "start": "08:00",
        "end": "17:00",
        "headcount": "1",
        "wage": "300",
    }
    refused = client.post("/employer/jobs/new", data=form)
    assert refused.status_code == 422 and "工会已暂停您发布招工" in refused.text

    log_in(client, make_worker(session), switch=True)
    page = client.get(f"/jobs/{job.id}")
    assert "有未结工钱" in page.text and 'id="on-time-pay"' in page.text
    assert case.id
