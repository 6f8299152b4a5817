"""Sign-up with a texted code, password reset and my account, as plain forms (no JavaScript)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.models import User, UserSession
from tests.factories import PASSWORD, make_worker, next_phone, sent_code
from tests.web.pages.forms import form_token


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_sign_up_in_two_steps_without_javascript(client: TestClient, session: Session) -> None:
    phone = next_phone()
    token = form_token(client.get("/signup?role=employer").text)
    sent = client.post(
        "/signup/code",
        data={"csrf_token": token, "phone": phone, "role": "employer"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/signup?role=employer&phone={phone}"
    step2 = client.get(sent.headers["location"])
    assert "6 位验证码已发送到" in step2.text and 'name="code"' in step2.text
    assert 'name="org_name"' in step2.text  # an employer's second step
    form = {"csrf_token": token, "phone": phone, "role": "employer", "name": "李经理"}
    wrong = client.post(
        "/signup",
        data={**form, "code": _wrong(sent_code(session, phone)), "password": "long-enough"},
    )
    assert wrong.status_code == 422
    assert 'id="code-error"' in wrong.text and "还可以试 4 次" in wrong.text
    assert (
        'value="李经理"' in wrong.text
        and session.exec(select(User).where(User.phone == phone)).first() is None
    )
    done = client.post(
        "/signup",
        data={**form, "code": sent_code(session, phone), "password": "long-enough"},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/employer/jobs/new")
    assert client.get("/account").status_code == 200  # logged in


def test_sign_up_page_for_a_registered_phone_tells_only_the_codes_holder(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    session.commit()
    token = form_token(client.get("/signup").text)
    client.post("/signup/code", data={"csrf_token": token, "phone": worker.phone})
    answer = client.post(
        "/signup",
        data={"csrf_token": token, "phone": worker.phone, "role": "worker", "name": "冒名",
              "code": sent_code(session, worker.phone), "password": "long-enough"},
    )  # fmt: skip
    assert answer.status_code == 409 and "这个手机号已经注册过了" in answer.text


def test_password_reset_in_two_steps_thenlog_in(client: TestClient, session: Session) -> None:
    worker = make_worker(session)
    session.commit()
    token = form_token(client.get("/login").text)
    assert 'href="/password/reset"' in client.get("/login").text
    sent = client.post(
        "/password/reset/code",
        data={"csrf_token": token, "phone": worker.phone},
        follow_redirects=False,
    )
    assert sent.headers["location"] == f"/password/reset?phone={worker.phone}"
    assert "如果 " in client.get(sent.headers["location"]).text
    reset = client.post(
        "/password/reset",
        data={"csrf_token": token, "phone": worker.phone, "code": sent_code(session, worker.phone),
              "password": "a-new-long-password"},
        follow_redirects=False,
    )  # fmt: skip
    assert (reset.status_code, reset.headers["location"]) == (303, "/login?ok=reset")
    assert "密码已修改，所有设备都已退出登录" in client.get("/login?ok=reset").text
    logged_in = client.post(
        "/login",
        data={"csrf_token": token, "phone": worker.phone, "password": "a-new-long-password"},
        follow_redirects=False,
    )
    assert logged_in.status_code == 303


def test_reset_page_with_a_bad_number_or_code_says_so_in_english(
    client: TestClient, session: Session
) -> None:
    client.cookies.set("lang", "en")
    token = form_token(client.get("/password/reset").text)
    bad = client.post("/password/reset/code", data={"csrf_token": token, "phone": "12345"})
    assert bad.status_code == 422 and "Enter an 11-digit mainland mobile number" in bad.text
    no_code = client.post(
        "/password/reset",
        data={"csrf_token": token, "phone": next_phone(), "code": "123456",
              "password": "a-new-long-password"},
    )  # fmt: skip
    assert no_code.status_code == 422
    assert "No code is waiting for this number; ask for a new code" in no_code.text


def test_account_page_changes_the_password_and_logs_out_everywhere_else(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    session.commit()
    login_token = form_token(client.get("/login").text)
    client.post("/login", data={"csrf_token": login_token, "phone": worker.phone,
                                "password": PASSWORD})  # fmt: skip
    other = TestClient(client.app)
    other.post("/api/v1/auth/login", json={"phone": worker.phone, "password": PASSWORD})
    page = client.get("/account")
    assert page.status_code == 200 and "本机" in page.text and "退出其他所有设备" in page.text
    token = form_token(page.text)
    wrong = client.post(
        "/account/password",
        data={"csrf_token": token, "old_password": "nope-nope-nope", "new_password": "long-enough"},
    )
    assert wrong.status_code == 422 and 'id="old_password-error"' in wrong.text
    ended = client.post(
        "/account/sessions/logout-others", data={"csrf_token": token}, follow_redirects=False
    )
    assert ended.headers["location"] == "/account?ok=ended"
    assert other.get("/api/v1/auth/me").status_code == 401
    changed = client.post(
        "/account/password",
        data={"csrf_token": token, "old_password": PASSWORD, "new_password": "long-enough"},
        follow_redirects=False,
    )
    assert changed.headers["location"] == "/account?ok=changed"
    assert "密码已修改" in client.get("/account?ok=changed").text
    rows = session.exec(select(UserSession).where(UserSession.user_id == worker.id)).all()
    assert len(rows) == 1


def test_staff_see_the_texted_codes_on_their_console(client: TestClient, session: Session) -> None:
    from tests.factories import make_staff

    staff = make_staff(session)
    session.commit()
    phone = next_phone()
    token = form_token(client.get("/signup").text)
    client.post("/signup/code", data={"csrf_token": token, "phone": phone})
    login_token = form_token(client.get("/login").text)
    client.post("/login", data={"csrf_token": login_token, "phone": staff.phone,
                                "password": PASSWORD})  # fmt: skip
    page = client.get("/staff/sms")
    assert page.status_code == 200 and "短信记录" in page.text
    assert phone in page.text and sent_code(session, phone) in page.text


def _page_signup(client: TestClient, session: Session, **headers: str) -> User:
    """Sign up as a worker through the two pages; the new user."""
    phone = next_phone()
    token = form_token(client.get("/signup", headers=headers).text)
    client.post("/signup/code", data={"csrf_token": token, "phone": phone}, headers=headers)
    done = client.post(
        "/signup",
        data={"csrf_token": token, "phone": phone, "role": "worker", "name": "张三",
              "code": sent_code(session, phone), "password": "long-enough"},
        headers=headers, follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303, done.text
    return session.exec(select(User).where(User.phone == phone)).one()


def test_a_sign_up_keeps_the_language_the_pages_were_in(
    client: TestClient, session: Session
) -> None:
    assert _page_signup(client, session, **{"Accept-Language": "en-US,en;q=0.9"}).locale == "en"
    client.cookies.clear()
    client.get("/lang/en")  # chosen on the page, whatever the phone's own language
    assert _page_signup(client, session, **{"Accept-Language": "zh-CN"}).locale == "en"
    client.cookies.clear()
    client.get("/lang/zh_CN")
    assert _page_signup(client, session, **{"Accept-Language": "en"}).locale == "zh_CN"
