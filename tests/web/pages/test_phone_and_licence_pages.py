"""My phone number changed by a code, and an employer's licence photo, as plain forms (no
JavaScript); staff see the photo where they verify the employer."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.models import EmployerLicence, SmsMessage, User, UserSession
from tests.factories import PASSWORD, make_employer, make_staff, make_worker, next_phone, png_image
from tests.factories import sent_code as read_code
from tests.web.api.test_bad_input import snapshot
from tests.web.pages.staff.helpers import log_in

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def test_a_worker_changes_the_number_in_two_steps_without_javascript(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    old = worker.phone
    session.commit()
    token = log_in(client, worker, "/account")
    other = TestClient(client.app)
    other.post("/api/v1/auth/login", json={"phone": worker.phone, "password": PASSWORD})
    account = client.get("/account").text
    assert 'href="/account/phone"' in account and worker.phone in account
    step1 = client.get("/account/phone")
    assert step1.status_code == 200 and 'name="phone"' in step1.text
    bad = client.post("/account/phone/code", data={"csrf_token": token, "phone": "12345"})
    assert bad.status_code == 422 and 'id="phone-error"' in bad.text and "11 位" in bad.text
    same = client.post("/account/phone/code", data={"csrf_token": token, "phone": worker.phone})
    assert same.status_code == 422 and "这已经是你的手机号" in same.text
    new = next_phone()
    sent = client.post(
        "/account/phone/code", data={"csrf_token": token, "phone": new}, follow_redirects=False
    )
    assert (sent.status_code, sent.headers["location"]) == (303, f"/account/phone?phone={new}")
    step2 = client.get(sent.headers["location"]).text
    assert "6 位验证码已发送到" in step2 and 'name="code"' in step2 and 'name="password"' in step2
    form = {"csrf_token": token, "phone": new, "password": PASSWORD}
    code = read_code(session, new)
    before = snapshot(session)
    wrong_password = client.post(
        "/account/phone", data={**form, "password": "nope-nope-nope", "code": code}
    )
    assert wrong_password.status_code == 422 and 'id="password-error"' in wrong_password.text
    assert snapshot(session) == before
    done = client.post("/account/phone", data={**form, "code": code}, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, "/account?ok=phone")
    assert "手机号已更换" in client.get("/account?ok=phone").text
    assert other.get("/api/v1/auth/me").status_code == 401
    session.expire_all()
    assert session.get(User, worker.id).phone == new  # type: ignore[union-attr]
    assert len(session.exec(select(UserSession).where(UserSession.user_id == worker.id)).all()) == 1
    told = session.exec(select(SmsMessage).where(SmsMessage.phone == old)).all()
    assert [m.template_id for m in told] == ["phone_changed"]


def test_the_page_refuses_a_registered_number_only_at_the_last_step_in_english(
    client: TestClient, session: Session
) -> None:
    staff, holder = make_staff(session), make_worker(session)
    session.commit()
    token = log_in(client, staff, "/account")
    client.cookies.set("lang", "en")
    taken = client.post(
        "/account/phone/code",
        data={"csrf_token": token, "phone": holder.phone},
        follow_redirects=False,
    )
    free = client.post(
        "/account/phone/code",
        data={"csrf_token": token, "phone": next_phone()},
        follow_redirects=False,
    )
    assert taken.status_code == free.status_code == 303
    page = client.get(taken.headers["location"]).text
    assert f"We texted a 6-digit code to {holder.phone}" in page
    form = {"csrf_token": token, "phone": holder.phone, "password": PASSWORD}
    refused = client.post("/account/phone", data={**form, "code": read_code(session, holder.phone)})
    assert refused.status_code == 409 and 'id="phone-error"' in refused.text
    assert "This number cannot be used for your account" in refused.text


def test_an_employer_sends_the_licence_photo_and_staff_see_it_where_they_verify(
    client: TestClient, session: Session
) -> None:
    employer, staff = make_employer(session, name="执照老板"), make_staff(session)
    session.commit()
    token = log_in(client, employer, "/account")
    assert "还没有上传照片" in client.get("/account").text
    before = snapshot(session)
    gif = client.post(
        "/account/employer/licence",
        data={"csrf_token": token},
        files={"photo": ("licence.jpg", b"GIF89a" + b"\x00" * 32, "image/jpeg")},
    )
    assert gif.status_code == 422 and 'id="photo-error"' in gif.text
    assert "照片必须是 JPEG、PNG 或 WebP 图片" in gif.text
    empty = client.post(
        "/account/employer/licence", data={"csrf_token": token}, files={"photo": ("", b"", "")}
    )
    assert empty.status_code == 422
    assert snapshot(session) == before
    sent = client.post(
        "/account/employer/licence",
        data={"csrf_token": token},
        files={"photo": ("licence.png", png_image(), "image/png")},
        follow_redirects=False,
    )
    assert (sent.status_code, sent.headers["location"]) == (303, "/account?ok=licence#employer")
    page = client.get("/account?ok=licence").text
    assert "照片已保存" in page and 'src="/api/v1/employer/licence"' in page
    assert client.get("/api/v1/employer/licence").content == png_image()
    client.cookies.clear()
    log_in(client, staff, "/staff/moderation")
    board = client.get("/staff/moderation", params={"q": "执照老板"}).text
    assert f'src="/api/v1/staff/employers/{employer.id}/licence"' in board
    assert client.get(f"/api/v1/staff/employers/{employer.id}/licence").status_code == 200
    assert session.get(EmployerLicence, employer.id) is not None


def test_a_photo_over_the_body_limit_is_a_413_page(client: TestClient, session: Session) -> None:
    employer = make_employer(session)
    session.commit()
    token = log_in(client, employer, "/account")
    huge = client.post(
        "/account/employer/licence",
        data={"csrf_token": token},
        files={"photo": ("big.jpg", JPEG + b"\x00" * (6 * 1024 * 1024), "image/jpeg")},
    )
    assert huge.status_code == 413 and "text/html" in huge.headers["content-type"]
    assert session.get(EmployerLicence, employer.id) is None
