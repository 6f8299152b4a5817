"""The station's pages without JavaScript: each form, and bad input that writes nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from market.accounts import service as account_service
from market.models import Application, AssistedWorker, StationStaff, User, UserSession
from market.notifications import sms as sms_service
from tests.factories import (
    make_assisted_worker,
    make_job,
    make_staff,
    make_station,
    make_station_staff,
    next_phone,
)
from tests.market.service_helpers import hire, snapshot
from tests.web.pages import forms
from tests.web.pages.staff.helpers import log_in


def _station_staff(
    client: TestClient, session: Session, name: str = "芝罘驿站"
) -> tuple[User, str]:
    staff = make_station_staff(session, station=make_station(session, name=name))
    session.commit()
    return staff, log_in(client, staff, page="/station")


def test_union_staff_make_a_station_staff_account_who_lands_on_the_station_page(
    client: TestClient, session: Session
) -> None:
    station, union = make_station(session), make_staff(session)
    session.commit()
    token = log_in(client, union)
    phone = next_phone()
    bad = client.post(
        f"/staff/stations/{station.id}/staff",
        data={"csrf_token": token, "name": "小刘", "phone": phone, "password": "short"},
    )
    assert bad.status_code == 422 and 'id="staff_password-error"' in bad.text
    assert session.exec(select(User).where(User.phone == phone)).first() is None
    taken = client.post(
        f"/staff/stations/{station.id}/staff",
        data={
            "csrf_token": token,
            "name": "小刘",
            "phone": union.phone,
            "password": "station-pass-1",
        },
    )
    assert taken.status_code == 422 and 'id="staff_phone-error"' in taken.text
    assert 'id="phone-error"' not in taken.text  # not beside the station's own phone field
    assert (
        client.post(
            f"/staff/stations/{10**9}/staff",
            data={
                "csrf_token": token,
                "name": "小刘",
                "phone": phone,
                "password": "station-pass-1",
            },
        ).status_code
        == 404
    )
    made = client.post(
        f"/staff/stations/{station.id}/staff",
        data={"csrf_token": token, "name": "小刘", "phone": phone, "password": "station-pass-1"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    user = session.exec(select(User).where(User.phone == phone)).one()
    assert user.role == "station" and session.get(StationStaff, user.id).station_id == station.id  # type: ignore[union-attr]
    assert "小刘" in client.get("/staff/stations").text
    client.cookies.clear()
    login = client.get("/login")
    token = login.text.split('name="csrf_token" value="')[1].split('"')[0]
    landed = client.post(
        "/login", data={"csrf_token": token, "phone": phone, "password": "station-pass-1"},
        follow_redirects=False,
    )  # fmt: skip
    assert landed.headers["location"] == "/station"
    assert station.name in client.get("/station").text


def test_registering_without_consent_is_refused_and_writes_nothing(
    client: TestClient, session: Session
) -> None:
    _staff, token = _station_staff(client, session)
    phone = next_phone()
    before = snapshot(session)
    for data, field in (
        ({"name": "老孙", "phone": phone}, "consent"),
        ({"name": "老孙", "phone": "12345", "consent": "1"}, "phone"),
        ({"name": "", "phone": phone, "consent": "1"}, "name"),
    ):
        answer = client.post("/station/workers", data={"csrf_token": token, **data})
        assert answer.status_code == 422 and f'id="{field}-error"' in answer.text, answer.text
    assert snapshot(session) == before
    english = client.post(
        "/station/workers", data={"csrf_token": token, "name": "老孙", "phone": phone},
        headers={"Accept-Language": "en"},
    )  # fmt: skip
    assert "The worker must agree" in english.text
    chinese = client.post(
        "/station/workers", data={"csrf_token": token, "name": "老孙", "phone": phone},
        headers={"Accept-Language": "zh-CN"},
    )  # fmt: skip
    assert "The worker must agree" not in chinese.text and 'id="consent-error"' in chinese.text


def test_station_registers_fills_in_applies_and_prints_the_slip(
    client: TestClient, session: Session
) -> None:
    staff, token = _station_staff(client, session)
    phone = next_phone()
    made = client.post(
        "/station/workers",
        data={"csrf_token": token, "name": "老孙", "phone": phone, "consent": "1"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    worker = session.exec(select(User).where(User.phone == phone)).one()
    assert session.get(AssistedWorker, worker.id).registered_by == staff.id  # type: ignore[union-attr]
    assert made.headers["location"] == f"/station/workers/{worker.id}?ok=registered"
    saved = client.post(
        f"/station/workers/{worker.id}/profile",
        data={"csrf_token": token, "name": "老孙", "trades": ["painter"], "district": "黄渤海新区",
              "radius_km": "20", "days": [str(d) for d in range(7)], "start": "00:00",
              "end": "23:59", "min_wage": "0"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    job = make_job(session, title="刷新房")
    session.commit()
    jobs = client.get(f"/station/workers/{worker.id}/jobs").text
    assert "刷新房" in jobs
    claimed = client.post(
        f"/station/workers/{worker.id}/jobs/{job.id}/claim?terms={job.terms_version}",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert claimed.status_code == 303
    assert claimed.headers["location"].startswith(
        f"/station/workers/{worker.id}/jobs/{job.id}/slip"
    )
    session.expire_all()
    application = session.exec(
        select(Application).where(Application.worker_id == worker.id, Application.job_id == job.id)
    ).one()
    slip = client.get(f"/station/workers/{worker.id}/jobs/{job.id}/slip").text
    employer = session.get(User, job.employer_id)
    assert "<svg" in slip and f"/jobs/{job.id}" in slip and "刷新房" in slip
    assert employer is not None and employer.phone not in slip  # not hired yet
    hire(session, job=job, worker=worker, now=application.created_at)
    session.commit()
    assert employer.phone in client.get(f"/station/workers/{worker.id}/jobs/{job.id}/slip").text


def test_another_stations_worker_and_unknown_ids_are_not_found_and_nothing_is_written(
    client: TestClient, session: Session
) -> None:
    other = make_station_staff(session, station=make_station(session, name="莱山驿站"))
    theirs = make_assisted_worker(session, staff=other)
    job = make_job(session)
    _staff, token = _station_staff(client, session)
    before = snapshot(session)
    for method, path, data in (
        ("GET", f"/station/workers/{theirs.id}", {}),
        ("GET", f"/station/workers/{theirs.id}/jobs", {}),
        ("GET", f"/station/workers/{theirs.id}/jobs/{job.id}/slip", {}),
        ("POST", f"/station/workers/{theirs.id}/jobs/{job.id}/claim", {}),
        ("POST", f"/station/workers/{theirs.id}/password",
         {"password": "new-secret-9", "id_checked": "1"}),
        ("POST", f"/station/workers/{theirs.id}/profile", {"name": "改名"}),
        ("GET", f"/station/workers/{10**9}", {}),
    ):  # fmt: skip
        answer = client.request(
            method, path, data={"csrf_token": token, **data} if data or method == "POST" else None
        )
        assert answer.status_code == 404, (path, answer.status_code)
    too_big = client.post(f"/station/workers/{10**12}/password", data={"csrf_token": token})
    assert too_big.status_code == 422  # past any id: the path itself is refused
    mine = make_assisted_worker(session, staff=_staff)
    session.commit()
    before = snapshot(session)
    for path in (
        f"/station/workers/{mine.id}/jobs/{10**9}/claim",
        f"/station/workers/{mine.id}/jobs/0/claim",
    ):
        answer = client.post(path, data={"csrf_token": token})
        assert answer.status_code in (404, 422), (path, answer.status_code)
    assert client.get(f"/station/workers/{mine.id}/jobs/{10**9}/slip").status_code == 404
    assert snapshot(session) == before


def test_a_station_password_reset_needs_the_id_checked_then_texts_the_worker(
    client: TestClient, session: Session
) -> None:
    staff, token = _station_staff(client, session)
    worker = make_assisted_worker(session, staff=staff)
    account_service.session_create(session=session, user=worker)  # the worker's old phone
    session.commit()
    before = snapshot(session)
    unchecked = client.post(
        f"/station/workers/{worker.id}/password",
        data={"csrf_token": token, "password": "new-secret-9"},
    )
    assert unchecked.status_code == 422 and 'id="id_checked-error"' in unchecked.text
    short = client.post(
        f"/station/workers/{worker.id}/password",
        data={"csrf_token": token, "password": "short", "id_checked": "1"},
    )
    assert short.status_code == 422 and 'id="password-error"' in short.text
    assert snapshot(session) == before
    done = client.post(
        f"/station/workers/{worker.id}/password",
        data={"csrf_token": token, "password": "new-secret-9", "id_checked": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    session.expire_all()
    texts = sms_service.list_messages(session=session, phone=worker.phone)
    assert [t.template_id for t in texts] == ["password_changed"]
    assert (
        session.exec(select(UserSession).where(col(UserSession.user_id) == worker.id)).all() == []
    )
    assert account_service.user_authenticate(
        session=session, phone=worker.phone, password="new-secret-9"
    )


def test_the_profile_form_at_the_station_speaks_of_the_worker_and_has_no_my_location(
    client: TestClient, session: Session
) -> None:
    staff, _token = _station_staff(client, session)
    worker = make_assisted_worker(session, staff=staff)
    session.commit()
    chinese = client.get(f"/station/workers/{worker.id}", headers={"Accept-Language": "zh-CN"})
    for words in ("他/她的工种", "工人姓名", "他/她的证书", "他/她什么时候能干活"):
        assert words in chinese.text, words
    for words in ("我的工种", "你的名字", "我的证书", "用我的位置"):
        assert words not in chinese.text, words
    assert "data-geolocate" not in chinese.text  # the staff's phone is at the station
    english = client.get(f"/station/workers/{worker.id}", headers={"Accept-Language": "en"}).text
    assert "Their trades" in english and "Worker&#39;s name" in english
    assert "My trades" not in english and "Use my location" not in english
    # the worker's own page keeps speaking to them
    client.cookies.clear()
    forms.log_in(client, worker)
    own = client.get("/profile", headers={"Accept-Language": "zh-CN"}).text
    assert "我的工种" in own and "你的名字" in own and "data-geolocate" in own


def test_the_slips_qr_code_leads_a_logged_out_phone_to_log_in_and_back_to_the_job(
    client: TestClient, session: Session
) -> None:
    staff, _token = _station_staff(client, session)
    worker = make_assisted_worker(session, staff=staff)
    job = make_job(session, title="刷新房")
    session.commit()
    slip = client.get(f"/station/workers/{worker.id}/jobs/{job.id}/slip").text
    url = slip.split('<p class="url">')[1].split("</p>")[0]
    assert url.endswith(f"/jobs/{job.id}")
    client.cookies.clear()  # the worker's (or a relative's) phone
    scanned = client.get(url, headers={"Accept-Language": "zh-CN"})
    assert scanned.url.path == "/login" and scanned.url.params["next"] == f"/jobs/{job.id}"
    assert 'id="job-login-note"' in scanned.text and "请驿站工作人员帮你设一个密码" in scanned.text
    assert f'name="next" value="/jobs/{job.id}"' in scanned.text
    english = client.get(url, headers={"Accept-Language": "en"}).text
    assert "Log in to see this job" in english
    employer = session.get_one(User, job.employer_id)
    assert employer.phone not in scanned.text and "刷新房" not in scanned.text
    landed = client.post(
        "/login",
        data={"csrf_token": forms.form_token(scanned.text), "phone": worker.phone,
              "password": forms.PASSWORD, "next": f"/jobs/{job.id}"},
    )  # fmt: skip
    assert landed.url.path == f"/jobs/{job.id}" and "刷新房" in landed.text
    assert 'id="job-login-note"' not in client.get("/login?next=/my/jobs").text
