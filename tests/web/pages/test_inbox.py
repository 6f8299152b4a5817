"""The inbox page and the unread badge on every page of a logged-in user."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from market.models import NotifyPreference
from market.types import utcnow
from tests.factories import make_employer, make_job, make_worker
from tests.market.service_helpers import hire
from tests.web.api.test_notifications import make_notes
from tests.web.pages.forms import log_in


def _badge(html: str) -> str | None:
    found = re.search(
        r'<a class="bell"[^>]*>.*?(?:<span class="count"[^>]*>(\d+\+?)</span>)?</a>', html
    )
    assert found, "the page has no bell"
    return found.group(1)


def test_the_badge_counts_unread_messages_on_every_page(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    make_notes(session, worker, 2)
    log_in(client, worker)

    for url in ("/feed", "/my/jobs", "/profile", "/inbox"):
        assert _badge(client.get(url).text) == "2", url
    assert "2 条新消息" in client.get("/feed").text
    assert "bell" not in client.get("/feed/cards").text  # a fragment carries no header


def test_an_employer_has_the_badge_too_and_none_when_all_is_read(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    log_in(client, employer)
    assert _badge(client.get("/employer/jobs").text) is None


def test_opening_a_message_marks_it_read_and_goes_where_it_points(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    notes = make_notes(session, worker, 2)
    token = log_in(client, worker)
    page = client.get("/inbox").text
    assert "你被录用了" in page and "刷墙1" in page
    assert page.index("刷墙1") < page.index("刷墙0")  # newest first

    answer = client.post(
        f"/inbox/{notes[0].id}/open", data={"csrf_token": token}, follow_redirects=False
    )

    assert answer.status_code == 303 and answer.headers["location"] == "/my/jobs"
    assert _badge(client.get("/inbox").text) == "1"
    done = client.post("/inbox/read-all", data={"csrf_token": token})
    assert "已全部标为已读" in done.text and _badge(done.text) is None


def test_another_users_message_cannot_be_opened(client: TestClient, session: Session) -> None:
    owner = make_worker(session)
    [note] = make_notes(session, owner, 1)
    token = log_in(client, make_worker(session))

    answer = client.post(f"/inbox/{note.id}/open", data={"csrf_token": token})

    assert answer.status_code == 404 and "找不到这条通知" in answer.text
    session.refresh(note)
    assert note.read_at is None
    assert client.post(f"/inbox/{note.id}/open", data={}).status_code == 403  # no form token


def test_quiet_hours_and_phone_messages_are_set_on_the_page(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    token = log_in(client, worker)

    bad = client.post(
        "/inbox/settings", data={"csrf_token": token, "quiet_from": "25", "quiet_to": "6"}
    )
    assert bad.status_code == 422 and "请从列表中选择钟点" in bad.text
    assert session.get(NotifyPreference, worker.id) is None

    saved = client.post(
        "/inbox/settings", data={"csrf_token": token, "quiet_from": "21", "quiet_to": "7"}
    )

    assert saved.status_code == 200 and "已保存" in saved.text
    pref = session.get(NotifyPreference, worker.id)
    assert pref is not None and (pref.push, pref.quiet_from, pref.quiet_to) == (False, 21, 7)
    assert pref.sms is False  # an unticked box is off

    client.post(
        "/inbox/settings",
        data={"csrf_token": token, "sms": "on", "quiet_from": "21", "quiet_to": "7"},
    )
    session.expire_all()
    pref = session.get(NotifyPreference, worker.id)
    assert pref is not None and (pref.push, pref.sms) == (False, True)
    page = client.get("/inbox")
    assert "用短信告诉我要紧的事" in page.text and 'name="sms" checked' in page.text


def test_a_worker_chooses_how_many_new_job_alerts_a_day(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    token = log_in(client, worker)
    hours = {"csrf_token": token, "quiet_from": "22", "quiet_to": "6"}
    assert 'name="daily_alerts"' in client.get("/inbox").text

    for wrong in ("21", "-1", "many"):
        bad = client.post("/inbox/settings", data={**hours, "daily_alerts": wrong})
        assert bad.status_code == 422 and "请从列表中选择数字" in bad.text
        assert session.get(NotifyPreference, worker.id) is None

    saved = client.post("/inbox/settings", data={**hours, "daily_alerts": "2"})

    assert saved.status_code == 200 and "已保存" in saved.text
    pref = session.get(NotifyPreference, worker.id)
    assert pref is not None and pref.daily_alerts == 2
    assert '<option value="2" selected>' in client.get("/inbox").text


def test_an_employer_has_no_new_job_alerts_to_set(client: TestClient, session: Session) -> None:
    employer = make_employer(session)
    token = log_in(client, employer)
    assert 'name="daily_alerts"' not in client.get("/inbox").text
    saved = client.post(
        "/inbox/settings", data={"csrf_token": token, "quiet_from": "21", "quiet_to": "7"}
    )
    assert saved.status_code == 200
    pref = session.get(NotifyPreference, employer.id)
    assert pref is not None and pref.daily_alerts == 5


def test_the_inbox_asks_a_stranger_to_log_in(client: TestClient) -> None:
    answer = client.get("/inbox", follow_redirects=False)
    assert answer.status_code in (303, 401)


def test_one_tap_im_coming_before_a_shift_and_the_employer_sees_it(
    client: TestClient, session: Session
) -> None:
    employer, worker = make_employer(session), make_worker(session, name="王建国")
    start = utcnow().replace(microsecond=0) + timedelta(minutes=90)
    job = make_job(session, employer=employer, start_at=start, title="搬家")
    application = hire(session, job=job, worker=worker, now=utcnow())
    token = log_in(client, employer)
    assert "还没确认到岗" in client.get(f"/employer/jobs/{job.id}").text  # 2 hours before
    client.cookies.clear()
    token = log_in(client, worker)
    assert f"/my/applications/{application.id}/coming" in client.get("/my/jobs").text

    done = client.post(f"/my/applications/{application.id}/coming", data={"csrf_token": token})

    assert done.status_code == 200 and "用工方能看到你已确认到岗" in done.text
    assert "你已确认到岗" in done.text
    client.cookies.clear()
    log_in(client, employer)
    page = client.get(f"/employer/jobs/{job.id}").text
    assert "已确认到岗" in page and "还没确认到岗" not in page
