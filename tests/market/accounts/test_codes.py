"""One-time codes by text message: 6 digits, 10 minutes, one use, five tries, a few an hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from market.accounts import codes
from market.accounts.codes import CodeSpent, Purpose
from market.accounts.devices import device_of
from market.errors import Conflict, Invalid, TooManyRequests, traces_of
from market.models import PhoneCode, SmsMessage
from market.settings import get_settings
from tests.factories import make_worker, next_phone, sent_code
from tests.sms_gateway import THROTTLED, SmsGateway

NOW = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)
SIGNUP = Purpose.signup


def _ask(db: Session, phone: str, purpose: Purpose = SIGNUP, at: datetime = NOW) -> int:
    return codes.code_request(session=db, phone=phone, purpose=purpose, now=at)


def _use(db: Session, phone: str, code: str, purpose: Purpose = SIGNUP, at: datetime = NOW) -> None:
    codes.code_consume(session=db, phone=phone, purpose=purpose, code=code, now=at)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _refused_try(db: Session, phone: str, code: str) -> Invalid:
    """A wrong code, refused; its try is kept as the app keeps it (the trace, after rollback)."""
    with pytest.raises(Invalid) as refused:
        _use(db, phone, code)
    for trace in traces_of(refused.value):
        trace(db)
    return refused.value


def test_a_code_is_six_digits_texted_to_the_phone_and_stored_only_as_hmacs(db: Session) -> None:
    phone = next_phone()
    assert _ask(db, phone) == 600
    code = sent_code(db, phone)
    assert len(code) == 6 and code.isdigit()
    message = db.exec(select(SmsMessage).where(SmsMessage.phone == phone)).one()
    assert code in message.body and message.provider == "log"
    row = db.exec(select(PhoneCode).where(PhoneCode.phone_key == codes.phone_key(phone))).one()
    assert phone not in row.phone_key and code not in row.code_hash
    assert len(row.code_hash) == 64 and row.expires_at == NOW + timedelta(minutes=10)


def test_the_right_code_works_once(db: Session) -> None:
    phone = next_phone()
    _ask(db, phone)
    code = sent_code(db, phone)
    _use(db, phone, code)
    with pytest.raises(Invalid, match="No code is waiting"):
        _use(db, phone, code)


def test_a_code_ten_minutes_old_has_expired(db: Session) -> None:
    phone = next_phone()
    _ask(db, phone)
    code = sent_code(db, phone)
    with pytest.raises(Invalid, match="expired"):
        _use(db, phone, code, at=NOW + timedelta(minutes=10))
    _use(db, phone, code, at=NOW + timedelta(minutes=9, seconds=59))


def test_a_code_sent_to_one_phone_does_not_work_for_another(db: Session) -> None:
    mine, theirs = next_phone(), next_phone()
    _ask(db, mine)
    with pytest.raises(Invalid, match="No code is waiting"):
        _use(db, theirs, sent_code(db, mine))
    _ask(db, theirs)
    with pytest.raises(Invalid, match="Wrong code"):
        _use(db, theirs, sent_code(db, mine))


def test_a_sign_up_code_does_not_reset_a_password(db: Session) -> None:
    worker = make_worker(db)
    _ask(db, worker.phone, SIGNUP)
    with pytest.raises(Invalid, match="No code is waiting"):
        _use(db, worker.phone, sent_code(db, worker.phone), Purpose.reset)


def test_five_wrong_tries_end_the_code_even_for_the_right_one(db: Session) -> None:
    phone = next_phone()
    _ask(db, phone)
    code = sent_code(db, phone)
    left = [_refused_try(db, phone, _wrong(code)).params.get("left") for _ in range(5)]
    assert left == [4, 3, 2, 1, None]  # the fifth says it was the last
    with pytest.raises(CodeSpent):
        _use(db, phone, code)
    _ask(db, phone)  # a new code starts again
    _use(db, phone, sent_code(db, phone))


def test_a_new_code_replaces_the_last_one(db: Session) -> None:
    phone = next_phone()
    _ask(db, phone)
    first = sent_code(db, phone)
    _ask(db, phone, at=NOW + timedelta(minutes=1))
    second = sent_code(db, phone)
    if first != second:
        with pytest.raises(Invalid, match="Wrong code"):
            _use(db, phone, first, at=NOW + timedelta(minutes=1))
    _use(db, phone, second, at=NOW + timedelta(minutes=1))


def test_a_phone_gets_at_most_five_codes_an_hour(db: Session) -> None:
    phone = next_phone()
    for minute in range(5):
        _ask(db, phone, at=NOW + timedelta(minutes=minute))
    with pytest.raises(TooManyRequests) as refused:
        _ask(db, phone, SIGNUP, at=NOW + timedelta(minutes=10))
    assert refused.value.retry_after == 50 * 60  # when the first of the five leaves the hour
    with pytest.raises(TooManyRequests):  # a reset code counts against the same phone
        _ask(db, phone, Purpose.reset, at=NOW + timedelta(minutes=10))
    _ask(db, phone, at=NOW + timedelta(minutes=60, seconds=1))
    _ask(db, next_phone(), at=NOW + timedelta(minutes=10))  # another phone is not held back


def test_a_reset_code_goes_only_to_a_registered_phone_but_counts_for_every_one(
    db: Session,
) -> None:
    worker, stranger = make_worker(db), next_phone()
    assert _ask(db, worker.phone, Purpose.reset) == _ask(db, stranger, Purpose.reset) == 600
    assert sent_code(db, worker.phone)
    assert db.exec(select(SmsMessage).where(SmsMessage.phone == stranger)).first() is None
    for minute in range(1, 5):
        _ask(db, stranger, Purpose.reset, at=NOW + timedelta(minutes=minute))
    with pytest.raises(TooManyRequests):
        _ask(db, stranger, Purpose.reset, at=NOW + timedelta(minutes=5))


def test_the_purge_deletes_codes_older_than_the_hour_that_counts_them(db: Session) -> None:
    old, new = next_phone(), next_phone()
    _ask(db, old, at=NOW - timedelta(hours=2))
    _ask(db, new, at=NOW - timedelta(minutes=5))
    assert codes.codes_purge(session=db, now=NOW) >= 1
    keys = set(db.exec(select(PhoneCode.phone_key)).all())
    assert codes.phone_key(new) in keys and codes.phone_key(old) not in keys


@pytest.mark.parametrize(
    ("agent", "device"),
    [
        (
            "Mozilla/5.0 (Linux; Android 10; M2006C3LC) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Mobile Safari/537.36",
            "Chrome · Android",
        ),
        (
            "Mozilla/5.0 (Linux; Android 12; V2134A) AppleWebKit/537.36 Chrome/86.0.4240.99 "
            "XWEB/4343 MMWEBSDK/20221011 Mobile Safari/537.36 MicroMessenger/8.0.30",
            "WeChat · Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
            "Safari · iPhone",
        ),
        ("python-httpx/0.27.0", "Python"),
        ("", ""),
    ],
)
def test_a_sessions_device_is_named_from_its_user_agent(agent: str, device: str) -> None:
    assert device_of(agent) == device


def test_a_code_the_gateway_refuses_is_a_clear_refusal_and_nothing_kept(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SmsGateway() as gateway:
        monkeypatch.setenv("LINGGONG_SMS_PROVIDER", "aliyun")
        monkeypatch.setenv("LINGGONG_SMS_ENDPOINT", gateway.endpoint)
        monkeypatch.setenv("LINGGONG_SMS_ACCESS_KEY_ID", gateway.access_key_id)
        monkeypatch.setenv("LINGGONG_SMS_ACCESS_KEY_SECRET", gateway.secret)
        monkeypatch.setenv("LINGGONG_SMS_TEMPLATES", '{"verify_code": "SMS_400000009"}')
        get_settings.cache_clear()
        try:
            with pytest.raises(Conflict) as refused, db.begin_nested():
                codes.code_request(session=db, phone=THROTTLED, purpose=Purpose.signup)
            assert refused.value.field == "phone"
            assert "try again" in refused.value.message
            assert db.exec(select(PhoneCode)).all() == []  # the request rolls back

            codes.code_request(session=db, phone="13800000077", purpose=Purpose.signup)
            [got] = gateway.received
            assert got.template_code == "SMS_400000009" and len(got.params["code"]) == 6
        finally:
            monkeypatch.undo()
            get_settings.cache_clear()
