"""Each staff form without JavaScript: the happy path, and one bad input that changes nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.applications import service as application_service
from market.events.service import list_events
from market.i18n import local
from market.models import DispatchProposal, EmployerProfile, Job, Membership, Report, Station, User
from market.stations import service as station_service
from market.stations.schemas import StationCreate
from market.work import arrears
from market.work import service as work_service
from market.work.schemas import PaymentCreate
from tests.factories import make_employer, make_job, make_staff, make_worker, tomorrow_at
from tests.market.work.work_factories import local_at, make_hire
from tests.staff_factories import make_member
from tests.web.pages.staff.helpers import log_in, make_report


def _staff(client: TestClient, session: Session) -> str:
    staff = make_staff(session)
    session.commit()
    return log_in(client, staff)


def _events(session: Session) -> int:
    return len(list_events(session=session))


# ---------------------------------------------------------------- dashboard


def test_dashboard_shows_the_gap_table_before_the_figures_with_csv_links(
    client: TestClient, session: Session
) -> None:
    make_job(session, headcount=4)  # four painter slots nobody has taken
    _staff(client, session)
    page = client.get("/staff").text
    assert page.index('id="gap-table"') < page.index('class="kpis"')
    assert "缺工" in page
    assert "/api/v1/staff/stats/export/gap.csv?first=" in page
    assert page.count("/api/v1/staff/stats/export/") == 6  # gap, summary, 4 breakdowns
    assert page.count("<svg") == 5
    fragment = client.get("/staff/figures").text
    assert fragment.startswith('<div class="figures"') and "<html" not in fragment


def test_dashboard_with_a_bad_period_says_why_and_shows_today(
    client: TestClient, session: Session
) -> None:
    _staff(client, session)
    page = client.get("/staff?first=2026-05-09&last=2026-05-01")
    assert page.status_code == 422
    assert 'id="first-error" role="alert"' in page.text
    english = client.get("/staff?first=yesterday", headers={"Accept-Language": "en"})
    assert "Give dates as YYYY-MM-DD" in english.text


# ---------------------------------------------------------------- dispatch


def _market(session: Session) -> tuple[Job, str]:
    job = make_job(session, employer=make_employer(session), headcount=2, start_at=tomorrow_at(1))
    job.district = "芝罘区"
    session.add(job)
    for i in range(3):
        make_worker(session, name=f"工人{i}")
    session.commit()
    return job, local(job.start_at).date().isoformat()


def test_dispatch_plan_is_shown_and_the_ticked_proposals_are_sent(
    client: TestClient, session: Session
) -> None:
    job, day = _market(session)
    token = _staff(client, session)
    page = client.get(f"/staff/dispatch?day={day}&district=芝罘区")
    assert page.status_code == 200 and 'id="plan-table"' in page.text
    pairs = [p for p in page.text.split('name="pair" value="')[1:]]
    pair = pairs[0].split('"')[0]
    assert len(pairs) == 2 and pair.startswith(f"{job.id}:")
    sent = client.post(
        "/staff/dispatch/send",
        data={"csrf_token": token, "day": day, "district": "芝罘区", "pair": pair},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"].startswith(f"/staff/dispatch?day={day}")
    proposals = session.exec(select(DispatchProposal)).all()
    assert [(p.job_id, p.worker_id) for p in proposals] == [tuple(map(int, pair.split(":")))]
    listing = client.get(sent.headers["location"]).text
    assert "已发送" in listing and 'id="sent-table"' in listing
    printed = client.get(f"/staff/dispatch/print?day={day}&district=芝罘区").text
    assert "工人" in printed and "staff.css" in printed


def test_dispatch_page_shows_how_evenly_work_went_round(
    client: TestClient, session: Session
) -> None:
    job, _day = _market(session)
    workers = session.exec(select(User).where(User.role == "worker")).all()
    for worker in workers[:2]:  # two applied today: seeking work, neither has worked
        application_service.application_claim(session=session, job_id=job.id or 0, worker=worker)
    session.commit()
    _staff(client, session)
    page = client.get("/staff/dispatch").text
    assert "派活是否均衡" in page
    assert "2 名求职工人中有 2 人（100%）近 7 天没有活干。" in page
    assert page.count('class="data rotation-table"') == 2 and "基尼系数" in page


def test_dispatch_send_with_nothing_ticked_says_so_and_sends_nothing(
    client: TestClient, session: Session
) -> None:
    _job, day = _market(session)
    token = _staff(client, session)
    before = _events(session)
    answer = client.post(
        "/staff/dispatch/send", data={"csrf_token": token, "day": day, "district": "芝罘区"}
    )
    assert answer.status_code == 422
    assert "请至少勾选一条派工再发送" in answer.text and 'id="plan-table"' in answer.text
    assert session.exec(select(DispatchProposal)).all() == [] and _events(session) == before


def test_dispatch_without_the_form_token_is_refused(client: TestClient, session: Session) -> None:
    _job, day = _market(session)
    _staff(client, session)
    answer = client.post("/staff/dispatch/send", data={"day": day, "pair": "1:1"})
    assert answer.status_code == 403 and session.exec(select(DispatchProposal)).all() == []


def test_dispatch_with_a_bad_day_says_how_to_write_it(client: TestClient, session: Session) -> None:
    _staff(client, session)
    answer = client.get("/staff/dispatch?day=tomorrow")
    assert answer.status_code == 422 and "YYYY-MM-DD" in answer.text


# ---------------------------------------------------------------- reports


def test_staff_note_a_report_then_record_its_outcome(client: TestClient, session: Session) -> None:
    report = make_report(session)
    session.commit()
    token = _staff(client, session)
    queue = client.get("/staff/reports").text
    assert f"/staff/reports/{report.id}" in queue and "拖欠工资" in queue
    page = client.get(f"/staff/reports/{report.id}").text
    assert "工地搬砖" in page and f"/api/v1/staff/reports/{report.id}/photo" in page
    noted = client.post(
        f"/staff/reports/{report.id}/notes",
        data={"csrf_token": token, "text": "已电话联系老板，答应周五付清"},
        follow_redirects=False,
    )
    assert noted.status_code == 303
    resolved = client.post(
        f"/staff/reports/{report.id}/resolve",
        data={"csrf_token": token, "outcome": "paid", "note": "周五已付 300 元"},
    )
    assert resolved.status_code == 200 and "工会介入后已付清" in resolved.text
    assert "答应周五付清" in resolved.text
    assert 'id="outcome-by"' not in resolved.text  # a staff member closed this one
    session.expire_all()
    stored = session.get(Report, report.id)
    assert stored is not None and stored.status == "resolved" and stored.outcome == "paid"


def test_a_case_the_work_record_closed_says_so(client: TestClient, session: Session) -> None:
    application, job = make_hire(session, start_at=local_at(-5, 8), wage=300)
    (case,) = arrears.arrears_sweep(session=session, now=local_at(0, 10), days=3)
    payment = work_service.payment_record(
        session=session,
        application=application,
        user=session.get_one(User, job.employer_id),
        data=PaymentCreate(amount=300, method="cash", paid_at=job.end_at),
        now=job.end_at,
    )
    worker = session.get_one(User, application.worker_id)
    work_service.payment_confirm(session=session, payment=payment, user=worker)
    session.commit()
    _staff(client, session)
    page = client.get(f"/staff/reports/{case.id}").text
    assert "工会介入后已付清" in page and "工钱记录自动结案：工人已确认全额收到工钱。" in page
    assert f'action="/staff/reports/{case.id}/resolve"' not in page  # nothing left to do


def test_resolving_without_an_outcome_asks_for_one_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    report = make_report(session)
    session.commit()
    token = _staff(client, session)
    answer = client.post(
        f"/staff/reports/{report.id}/resolve", data={"csrf_token": token, "note": "留着"}
    )
    assert answer.status_code == 422 and 'role="alert"' in answer.text
    assert "留着" in answer.text  # what was typed is kept
    empty_note = client.post(f"/staff/reports/{report.id}/notes", data={"csrf_token": token})
    assert empty_note.status_code == 422
    session.expire_all()
    stored = session.get(Report, report.id)
    assert stored is not None and stored.status == "open"


# ---------------------------------------------------------------- moderation


def test_staff_hide_a_posting_with_a_reason_and_put_it_back(
    client: TestClient, session: Session
) -> None:
    job = make_job(session, title="高薪日结无需经验")
    session.commit()
    token = _staff(client, session)
    assert "高薪日结无需经验" in client.get("/staff/moderation").text
    hidden = client.post(
        f"/staff/moderation/jobs/{job.id}/hide",
        data={"csrf_token": token, "reason": "疑似诈骗", "q": ""},
    )
    assert hidden.status_code == 200 and "招工信息已下架" in hidden.text
    session.expire_all()
    assert session.get(Job, job.id).hidden_reason == "疑似诈骗"  # type: ignore[union-attr]
    client.post(f"/staff/moderation/jobs/{job.id}/unhide", data={"csrf_token": token})
    session.expire_all()
    assert session.get(Job, job.id).hidden_reason is None  # type: ignore[union-attr]


def test_hiding_without_a_reason_is_refused_next_to_the_posting(
    client: TestClient, session: Session
) -> None:
    job = make_job(session)
    session.commit()
    token = _staff(client, session)
    answer = client.post(
        f"/staff/moderation/jobs/{job.id}/hide", data={"csrf_token": token, "reason": "  "}
    )
    assert answer.status_code == 422 and f'id="job-{job.id}-error"' in answer.text
    session.expire_all()
    assert session.get(Job, job.id).hidden_reason is None  # type: ignore[union-attr]


def test_staff_suspend_and_reinstate_an_account_found_by_phone(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session, name="刷单小王")
    session.commit()
    token = _staff(client, session)
    found = client.get(f"/staff/moderation?q={worker.phone}").text
    assert "刷单小王" in found and f"/staff/moderation/users/{worker.id}/suspend" in found
    refused = client.post(
        f"/staff/moderation/users/{worker.id}/suspend", data={"csrf_token": token, "reason": ""}
    )
    assert refused.status_code == 422
    session.expire_all()
    assert session.get(User, worker.id).is_active  # type: ignore[union-attr]
    client.post(
        f"/staff/moderation/users/{worker.id}/suspend",
        data={"csrf_token": token, "reason": "冒用他人身份", "q": worker.phone},
    )
    session.expire_all()
    assert not session.get(User, worker.id).is_active  # type: ignore[union-attr]
    client.post(f"/staff/moderation/users/{worker.id}/reinstate", data={"csrf_token": token})
    session.expire_all()
    assert session.get(User, worker.id).is_active  # type: ignore[union-attr]


def test_staff_verify_an_employer_and_a_second_verify_says_it_is_done(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session, name="诚信建筑")
    session.commit()
    token = _staff(client, session)
    done = client.post(
        f"/staff/moderation/users/{employer.id}/verify",
        data={"csrf_token": token, "verified": "1", "q": "诚信建筑"},
    )
    assert done.status_code == 200 and "该用工方已显示认证标志" in done.text
    again = client.post(
        f"/staff/moderation/users/{employer.id}/verify",
        data={"csrf_token": token, "verified": "1", "q": "诚信建筑"},
    )
    assert again.status_code == 422 and f'id="user-{employer.id}-error"' in again.text
    session.expire_all()
    assert session.get(EmployerProfile, employer.id).verified  # type: ignore[union-attr]


# ---------------------------------------------------------------- stations


def test_staff_add_a_station_at_the_district_centre_and_edit_it(
    client: TestClient, session: Session
) -> None:
    token = _staff(client, session)
    added = client.post(
        "/staff/stations",
        data={"csrf_token": token, "name": "只楚驿站", "address": "芝罘区只楚路 1 号",
              "district": "芝罘区", "hours": "每天 6:00-20:00", "services": ["water", "rest"]},
        follow_redirects=False,
    )  # fmt: skip
    assert added.status_code == 303, added.text
    station = session.exec(select(Station).where(Station.name == "只楚驿站")).one()
    assert station.services == ["rest", "water"] and station.lat > 37
    edit = client.get(f"/staff/stations/{station.id}").text
    assert 'value="只楚驿站"' in edit
    saved = client.post(
        f"/staff/stations/{station.id}",
        data={"csrf_token": token, "name": "只楚驿站", "address": "芝罘区只楚路 2 号",
              "district": "芝罘区", "lat": "37.55", "lon": "121.30"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303
    session.expire_all()
    station = session.get(Station, station.id)  # type: ignore[assignment]
    assert station.address == "芝罘区只楚路 2 号" and station.active is False  # unticked: closed


def test_a_station_without_a_name_or_place_is_refused_with_the_field_named(
    client: TestClient, session: Session
) -> None:
    token = _staff(client, session)
    answer = client.post(
        "/staff/stations",
        data={"csrf_token": token, "name": "", "address": "芝罘区只楚路 1 号"},
    )
    assert answer.status_code == 422 and 'id="name-error"' in answer.text
    assert 'value="芝罘区只楚路 1 号"' in answer.text
    assert session.exec(select(Station)).all() == []
    existing = station_service.station_create(
        session=session,
        data=StationCreate(name="旧驿站", address="某路 1 号", lat=37.5, lon=121.3),
    )
    session.commit()
    bad = client.post(
        f"/staff/stations/{existing.id}",
        data={
            "csrf_token": token,
            "name": "新名字",
            "address": "某路 1 号",
            "lat": "99",
            "lon": "121",
        },
    )
    assert bad.status_code == 422 and 'id="lat-error"' in bad.text
    session.expire_all()
    assert session.get(Station, existing.id).name == "旧驿站"  # type: ignore[union-attr]


# ---------------------------------------------------------------- membership


def test_staff_approve_a_membership_and_deciding_twice_is_refused(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session, name="入会老赵")
    make_member(session, worker=worker, status="pending")
    session.commit()
    token = _staff(client, session)
    assert "入会老赵" in client.get("/staff/memberships").text
    approved = client.post(
        f"/staff/memberships/{worker.id}/decide",
        data={"csrf_token": token, "approve": "1", "note": "欢迎"},
        follow_redirects=False,
    )
    assert approved.status_code == 303 and approved.headers["location"].endswith("ok=approved")
    again = client.post(
        f"/staff/memberships/{worker.id}/decide", data={"csrf_token": token, "approve": "0"}
    )
    assert again.status_code == 422 and 'class="error"' in again.text
    session.expire_all()
    assert session.get(Membership, worker.id).status == "approved"  # type: ignore[union-attr]
