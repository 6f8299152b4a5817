"""Accounts through the API: sign-up with a texted code, password reset and change, my sessions.

Codes are read where a phone's holder would read them: the `log` SMS provider's table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from market.accounts import codes
from market.models import PhoneCode, SmsMessage, User, UserSession
from market.settings import Settings
from tests.factories import PASSWORD, api_signup, auth, make_worker, next_phone, sent_code
from tests.web.api.test_bad_input import snapshot

EN = {"Accept-Language": "en"}
NEW_PASSWORD = "a-new-long-password"


def _body(phone: str, **fields: str) -> dict[str, str]:
    return {"phone": phone, "password": "s3cret-pass", "name": "张三", "role": "worker", **fields}


def _ask(client: TestClient, phone: str, purpose: str = "signup", **headers: str) -> Any:
    return client.post(
        "/api/v1/auth/codes", json={"phone": phone, "purpose": purpose}, headers=headers
    )


def _register(client: TestClient, phone: str, code: str, **headers: str) -> Any:
    return client.post("/api/v1/auth/register", json=_body(phone, code=code), headers=headers)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _attempts(session: Session, phone: str) -> int:
    session.expire_all()
    row = session.exec(
        select(PhoneCode)
        .where(PhoneCode.phone_key == codes.phone_key(phone))
        .order_by(col(PhoneCode.id).desc())
    ).first()
    assert row is not None
    return row.attempts


def test_sign_up_with_the_texted_code_logs_in(client: TestClient, session: Session) -> None:
    phone = next_phone()
    asked = _ask(client, phone)
    assert asked.status_code == 202
    assert asked.json() == {"detail": "如果号码能接收短信，验证码已经发出", "expires_in": 600}
    created = _register(client, phone, sent_code(session, phone))
    assert created.status_code == 201, created.text
    me = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {created.json()['token']}"}
    )
    assert me.json()["phone"] == phone


def test_asking_for_a_code_answers_the_same_for_registered_and_new_phones(
    client: TestClient, session: Session
) -> None:
    registered, new = make_worker(session).phone, next_phone()
    session.commit()
    for purpose in ("signup", "reset"):
        for headers in ({}, EN):
            a, b = (
                _ask(client, registered, purpose, **headers),
                _ask(client, new, purpose, **headers),
            )
            assert (a.status_code, a.json()) == (b.status_code, b.json())
    assert _ask(client, new, "signup", **EN).json()["detail"] == (
        "If the number can receive it, a code is on its way by text message"
    )


def test_a_registered_phones_holder_learns_it_only_with_the_code(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    session.commit()
    assert _ask(client, worker.phone).status_code == 202
    guessed = _register(client, worker.phone, _wrong(sent_code(session, worker.phone)))
    assert guessed.status_code == 422 and "还可以试 4 次" in guessed.json()["detail"]
    held = _register(client, worker.phone, sent_code(session, worker.phone))
    assert held.status_code == 409
    assert held.json()["detail"] == "这个手机号已经注册过了，请直接登录，或找回密码"
    english = _register(client, worker.phone, sent_code(session, worker.phone), **EN)
    assert english.json()["detail"] == (
        "This phone number already has an account; log in, or reset the password"
    )


def test_a_wrong_code_writes_nothing_but_its_try(client: TestClient, session: Session) -> None:
    phone = next_phone()
    _ask(client, phone)
    before = snapshot(session)
    wrong = _register(client, phone, _wrong(sent_code(session, phone)))
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == [{"field": "code", "message": "验证码不对，还可以试 4 次"}]
    english = _register(client, phone, _wrong(sent_code(session, phone)), **EN)
    assert english.json()["detail"] == "Wrong code; 3 tries left"
    after = snapshot(session)
    changed = {t for t in after if after[t] != before[t]}
    assert changed == {"phone_code"} and _attempts(session, phone) == 2


def test_the_sixth_try_of_a_code_is_refused_even_when_right(
    client: TestClient, session: Session
) -> None:
    phone = next_phone()
    _ask(client, phone)
    code = sent_code(session, phone)
    statuses = [_register(client, phone, _wrong(code)).status_code for _ in range(5)]
    assert statuses == [422] * 5
    refused = _register(client, phone, code)
    assert (
        refused.status_code == 429 and refused.json()["detail"] == "验证码输错次数太多，请重新获取"
    )
    english = _register(client, phone, code, **EN)
    assert english.json()["detail"] == "Too many wrong codes; ask for a new code"
    assert session.exec(select(User).where(User.phone == phone)).first() is None


def test_expired_reused_and_other_phones_codes_are_refused_in_both_languages(
    client: TestClient, session: Session
) -> None:
    mine, other = next_phone(), next_phone()
    _ask(client, mine)
    code = sent_code(session, mine)
    for_other = _register(client, other, code)
    assert (for_other.status_code, for_other.json()["detail"]) == (
        422,
        "没有待用的验证码，请重新获取",
    )
    row = session.exec(select(PhoneCode).where(PhoneCode.phone_key == codes.phone_key(mine))).one()
    row.expires_at -= timedelta(minutes=11)  # the code was sent 11 minutes ago
    session.add(row)
    session.commit()
    expired = _register(client, mine, code)
    assert (expired.status_code, expired.json()["detail"]) == (422, "验证码已过期，请重新获取")
    english = _register(client, mine, code, **EN)
    assert english.json()["detail"] == "This code has expired; ask for a new code"
    _ask(client, mine)
    fresh = sent_code(session, mine)
    assert _register(client, mine, fresh).status_code == 201
    client.cookies.clear()
    reused = _register(client, mine, fresh, **EN)
    assert (reused.status_code, reused.json()["detail"]) == (
        422,
        "No code is waiting for this number; ask for a new code",
    )


def test_the_sixth_code_for_one_phone_in_an_hour_is_refused(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    # the per-address limit off: this is the phone's own count, kept by the market
    client = make_client(Settings(environment="test", rate_limits="off"))
    registered, new = make_worker(session).phone, next_phone()
    session.commit()
    for phone in (registered, new):
        assert [_ask(client, phone, "reset").status_code for _ in range(5)] == [202] * 5
        refused = _ask(client, phone, "signup")
        assert refused.status_code == 429 and 3000 <= int(refused.headers["Retry-After"]) <= 3600
        assert refused.json()["detail"] == "操作太频繁，请 60 分钟后再试"
    assert _ask(client, new, **EN).json()["detail"] == "Too many requests; try again in 60 minutes"


def test_the_eleventh_code_from_one_address_in_an_hour_is_refused(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(Settings(environment="test"))
    assert [_ask(client, next_phone()).status_code for _ in range(10)] == [202] * 10
    refused = _ask(client, next_phone(), **EN)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    other = TestClient(client.app, client=("203.0.113.9", 40000))
    assert _ask(other, next_phone()).status_code == 202


def _reset(client: TestClient, phone: str, code: str, **headers: str) -> Any:
    body = {"phone": phone, "code": code, "password": NEW_PASSWORD}
    return client.post("/api/v1/auth/password/reset", json=body, headers=headers)


def _login(client: TestClient, phone: str, password: str) -> int:
    answer = client.post("/api/v1/auth/login", json={"phone": phone, "password": password})
    return answer.status_code


def test_a_reset_by_code_sets_the_password_and_ends_every_session(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    phone_a, phone_b = auth(session, worker), auth(session, worker)
    session.commit()
    assert _ask(client, worker.phone, "reset").status_code == 202
    assert _reset(client, worker.phone, sent_code(session, worker.phone)).status_code == 204
    for headers in (phone_a, phone_b):
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert _login(client, worker.phone, PASSWORD) == 401
    assert _login(client, worker.phone, NEW_PASSWORD) == 200
    told = session.exec(select(SmsMessage).where(SmsMessage.phone == worker.phone)).all()
    assert [m.template_id for m in told] == ["verify_code", "password_changed"]


def test_a_reset_with_a_wrong_code_changes_nothing(client: TestClient, session: Session) -> None:
    worker = make_worker(session)
    headers = auth(session, worker)
    session.commit()
    _ask(client, worker.phone, "reset")
    before = snapshot(session)
    wrong = _reset(client, worker.phone, _wrong(sent_code(session, worker.phone)), **EN)
    assert (wrong.status_code, wrong.json()["detail"]) == (422, "Wrong code; 4 tries left")
    after = snapshot(session)
    assert {t for t in after if after[t] != before[t]} == {"phone_code"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    no_code = _reset(client, next_phone(), "123456")
    assert (no_code.status_code, no_code.json()["detail"]) == (422, "没有待用的验证码，请重新获取")


def test_changing_the_password_needs_the_old_one_and_ends_the_other_sessions(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    here, elsewhere = auth(session, worker), auth(session, worker)
    session.commit()
    change = {"old_password": "not-it-at-all", "new_password": NEW_PASSWORD}
    before = snapshot(session)
    wrong = client.post("/api/v1/auth/password", json=change, headers=here)
    assert (wrong.status_code, wrong.json()["detail"]) == (422, "当前密码不对")
    assert snapshot(session) == before
    change["old_password"] = PASSWORD
    assert client.post("/api/v1/auth/password", json=change, headers=here).status_code == 204
    assert client.get("/api/v1/auth/me", headers=here).status_code == 200
    assert client.get("/api/v1/auth/me", headers=elsewhere).status_code == 401
    assert _login(client, worker.phone, NEW_PASSWORD) == 200


def test_the_eleventh_password_change_in_an_hour_is_refused(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    headers = auth(session, worker)
    session.commit()
    change = {"old_password": "not-it-at-all", "new_password": NEW_PASSWORD}
    tries = [client.post("/api/v1/auth/password", json=change, headers=headers) for _ in range(11)]
    assert [t.status_code for t in tries] == [422] * 10 + [429]


def test_my_sessions_name_their_devices_and_log_out_everywhere_else(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    session.commit()
    android = "Mozilla/5.0 (Linux; Android 10) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"
    body = {"phone": worker.phone, "password": PASSWORD}
    tokens = []
    for agent in (android, "python-httpx/0.27"):
        client.cookies.clear()  # two devices: a login would end the session its cookie names
        login = client.post("/api/v1/auth/login", json=body, headers={"User-Agent": agent})
        tokens.append(login.json()["token"])
    here = {"Authorization": f"Bearer {tokens[1]}"}
    listed = client.get("/api/v1/auth/sessions", headers=here).json()
    assert [(s["device"], s["current"]) for s in listed] == [
        ("Python", True),
        ("Chrome · Android", False),
    ]
    ended = client.post("/api/v1/auth/sessions/logout-others", headers=here)
    assert ended.json() == {"ended": 1}
    assert [s["current"] for s in client.get("/api/v1/auth/sessions", headers=here).json()] == [
        True
    ]
    gone = {"Authorization": f"Bearer {tokens[0]}"}
    assert client.get("/api/v1/auth/me", headers=gone).status_code == 401
    left = session.exec(select(UserSession).where(UserSession.user_id == worker.id)).all()
    assert len(left) == 1


def test_staff_read_the_texted_codes_of_the_log_provider(
    client: TestClient, session: Session
) -> None:
    from tests.factories import make_staff

    staff = make_staff(session)
    headers = auth(session, staff)
    session.commit()
    phone = next_phone()
    api_signup(client, session, _body(phone))
    messages = client.get("/api/v1/staff/sms", headers=headers).json()
    assert messages[0]["phone"] == phone and sent_code(session, phone) in messages[0]["body"]


def test_the_third_reset_from_one_address_over_its_limit_is_refused(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    settings = Settings(environment="test", rate_limit_overrides={"reset_per_address": "2/hour"})
    client = make_client(settings)
    phone = next_phone()
    tries = [_reset(client, phone, "123456").status_code for _ in range(2)]
    assert tries == [422, 422]
    refused = _reset(client, phone, "123456", **EN)
    assert refused.status_code == 429
    assert refused.json()["detail"] == "Too many requests; try again in 60 minutes"


def test_a_sign_up_through_the_api_keeps_the_language_it_was_made_in(
    client: TestClient, session: Session
) -> None:
    for headers, locale in ((EN, "en"), ({"Accept-Language": "zh-CN,zh;q=0.9"}, "zh_CN")):
        phone = next_phone()
        made = api_signup(client, session, _body(phone), **headers)
        assert made.status_code == 201, made.text
        assert session.exec(select(User).where(User.phone == phone)).one().locale == locale
