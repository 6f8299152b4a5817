"""A phone number changed through the API: the code to the new number, one answer shape
whether or not the number is registered, refusals in both languages that write nothing,
and the code throttles (per number, per address) on the new routes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from market.accounts import codes
from market.models import PhoneCode, SmsMessage, User
from market.settings import Settings
from tests.factories import PASSWORD, auth, make_employer, make_staff, make_worker, next_phone
from tests.factories import sent_code as read_code
from tests.web.api.test_bad_input import snapshot

EN = {"Accept-Language": "en"}


def _ask(client: TestClient, headers: dict[str, str], phone: str, **extra: str) -> Any:
    return client.post(
        "/api/v1/auth/phone/code", json={"phone": phone}, headers={**headers, **extra}
    )


def _change(
    client: TestClient, headers: dict[str, str], phone: str, code: str, **extra: str
) -> Any:
    body = {"phone": phone, "code": code, "password": extra.pop("password", PASSWORD)}
    return client.post("/api/v1/auth/phone", json=body, headers={**headers, **extra})


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_an_employer_moves_to_a_new_number_and_everything_else_follows(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    here, elsewhere = auth(session, employer), auth(session, employer)
    old, new = employer.phone, next_phone()
    session.commit()
    asked = _ask(client, here, new)
    assert asked.status_code == 202
    assert asked.json() == {"detail": "如果号码能接收短信，验证码已经发出", "expires_in": 600}
    changed = _change(client, here, new, read_code(session, new))
    assert changed.status_code == 200, changed.text
    assert changed.json()["phone"] == new
    assert client.get("/api/v1/auth/me", headers=here).json()["phone"] == new
    assert client.get("/api/v1/auth/me", headers=elsewhere).status_code == 401
    told = session.exec(select(SmsMessage).where(SmsMessage.phone == old)).all()
    assert [m.template_id for m in told] == ["phone_changed"]
    login = {"phone": new, "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=login).status_code == 200
    login["phone"] = old
    assert client.post("/api/v1/auth/login", json=login).status_code == 401


def test_the_code_request_answers_the_same_for_a_registered_and_a_free_number(
    client: TestClient, session: Session
) -> None:
    staff, holder = make_staff(session), make_worker(session)
    headers = auth(session, staff)
    session.commit()
    for extra in ({}, EN):
        taken, free = (
            _ask(client, headers, holder.phone, **extra),
            _ask(client, headers, next_phone(), **extra),
        )
        assert (taken.status_code, taken.json()) == (free.status_code, free.json())
    before = snapshot(session)
    refused = _change(client, headers, holder.phone, read_code(session, holder.phone))
    assert (refused.status_code, refused.json()["detail"]) == (
        409,
        "这个号码不能用于你的账号，请换一个号码",
    )
    english = _change(client, headers, holder.phone, read_code(session, holder.phone), **EN)
    assert english.json()["detail"] == (
        "This number cannot be used for your account; choose another number"
    )
    assert english.json()["errors"][0]["field"] == "phone"
    assert snapshot(session) == before  # nothing written, the code not even used up


def test_bad_numbers_codes_and_passwords_are_refused_in_both_languages_and_write_nothing(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    headers = auth(session, worker)
    session.commit()
    malformed = _ask(client, headers, "12345")
    assert malformed.status_code == 422 and "11 位" in malformed.json()["detail"]
    assert "11-digit" in _ask(client, headers, "12345", **EN).json()["detail"]
    same = _ask(client, headers, worker.phone, **EN)
    assert (same.status_code, same.json()["detail"]) == (422, "This is already your phone number")
    assert _ask(client, headers, worker.phone).json()["detail"] == "这已经是你的手机号"
    new, other = next_phone(), next_phone()
    assert _ask(client, headers, new).status_code == 202
    code = read_code(session, new)
    before = snapshot(session)
    cases = [
        (_change(client, headers, new, code, password="not-my-password"), "当前密码不对"),
        (_change(client, headers, other, code), "没有待用的验证码，请重新获取"),
        (_change(client, headers, new, "12ab56"), "请输入短信里的 6 位验证码"),
        (_change(client, headers, "not-a-phone", code, **EN), "11-digit"),
    ]
    for answer, message in cases:
        assert answer.status_code == 422 and message in answer.json()["detail"], answer.text
    assert snapshot(session) == before
    wrong = _change(client, headers, new, _wrong(code), **EN)
    assert (wrong.status_code, wrong.json()["detail"]) == (422, "Wrong code; 4 tries left")
    after = snapshot(session)
    assert {t for t in after if after[t] != before[t]} == {"phone_code"}  # only the try


def test_an_expired_or_reused_code_is_refused(client: TestClient, session: Session) -> None:
    worker, second = make_worker(session), make_worker(session)
    headers, theirs = auth(session, worker), auth(session, second)
    new = next_phone()
    session.commit()
    _ask(client, headers, new)
    code = read_code(session, new)
    row = session.exec(
        select(PhoneCode)
        .where(PhoneCode.phone_key == codes.phone_key(new))
        .order_by(col(PhoneCode.id).desc())
    ).first()
    assert row is not None
    row.expires_at -= timedelta(minutes=11)
    session.add(row)
    session.commit()
    expired = _change(client, headers, new, code, **EN)
    assert (expired.status_code, expired.json()["detail"]) == (
        422,
        "This code has expired; ask for a new code",
    )
    _ask(client, headers, new)
    fresh = read_code(session, new)
    assert _change(client, headers, new, fresh).status_code == 200
    reused = _change(client, theirs, new, fresh)
    assert (reused.status_code, reused.json()["detail"]) == (422, "没有待用的验证码，请重新获取")
    session.expire_all()
    assert session.get(User, second.id).phone == second.phone  # type: ignore[union-attr]


def test_the_sixth_code_for_one_number_in_an_hour_is_refused(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    client = make_client(Settings(environment="test", rate_limits="off"))
    worker = make_worker(session)
    headers = auth(session, worker)
    new = next_phone()
    session.commit()
    client.post("/api/v1/auth/codes", json={"phone": new, "purpose": "signup"})  # counts too
    assert [_ask(client, headers, new).status_code for _ in range(4)] == [202] * 4
    refused = _ask(client, headers, new, **EN)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert refused.json()["detail"] == "Too many requests; try again in 60 minutes"


def test_the_address_limits_of_codes_and_of_code_tries_hold_on_the_phone_routes(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    limits = {"code_per_address": "2/hour", "reset_per_address": "2/hour"}
    client = make_client(Settings(environment="test", rate_limit_overrides=limits))
    worker = make_worker(session)
    headers = auth(session, worker)
    session.commit()
    assert [_ask(client, headers, next_phone()).status_code for _ in range(2)] == [202, 202]
    assert _ask(client, headers, next_phone()).status_code == 429
    tries = [_change(client, headers, next_phone(), "123456").status_code for _ in range(2)]
    assert tries == [422, 422]
    refused = _change(client, headers, next_phone(), "123456", **EN)
    assert refused.status_code == 429 and "Retry-After" in refused.headers


def test_the_eleventh_password_guess_on_the_phone_route_in_an_hour_is_refused(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    headers = auth(session, worker)
    session.commit()
    answers = [
        _change(client, headers, next_phone(), "123456", password="guess-guess").status_code
        for _ in range(11)
    ]
    assert answers == [422] * 10 + [429]
