"""SMS as a notification channel: texted when push cannot reach, once, held in quiet hours."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from market.db import session_scope
from market.models import SmsMessage
from market.notifications import delivery as delivery_service
from market.notifications import service as notification_service
from market.notifications import sms_delivery
from market.notifications.schemas import PreferenceUpdate, SubscriptionCreate
from market.notifications.sms import SMS_KINDS, SMS_LIMIT, TEMPLATES, render, sms_params
from market.settings import get_settings
from tests.factories import make_employer, make_job, make_worker
from tests.market.notifications.helpers import NOW, deliveries_of, hired, produce, user
from tests.market.service_helpers import hire
from tests.sms_gateway import THROTTLED, SmsGateway
from web.i18n import translate

LONGEST = {
    "job": "烟台开发区长江路某某小区三期十二号楼外墙真石漆粉刷及脚手架拆装",  # 30 characters
    "when": "12-31 23:59",
    "amount": 99999,
    "name": "欧阳诸葛慕容长名字",
}


@pytest.mark.parametrize("template_id", sorted(set(SMS_KINDS.values())))
def test_each_notification_text_fits_one_sms_with_the_longest_parameters(
    template_id: str,
) -> None:
    text = render(template_id, sms_params(template_id, LONGEST))
    assert len(text) <= SMS_LIMIT, text
    assert text.startswith("【零工】")
    assert "{" not in text


def test_every_sms_kind_has_a_template() -> None:
    assert set(SMS_KINDS.values()) <= set(TEMPLATES)


def texts(engine: Engine) -> list[SmsMessage]:
    with Session(engine) as session:
        return list(session.exec(select(SmsMessage)))


def sms_row(engine: Engine, user_id: int) -> Any:
    return next(d for d in deliveries_of(engine, user_id) if d.channel == "sms")


def set_pref(engine: Engine, user_id: int, **values: Any) -> None:
    with session_scope(engine) as session:
        notification_service.preference_update(
            session=session, user_id=user_id, data=PreferenceUpdate(**values)
        )


def deliver(engine: Engine, at: Any = NOW) -> dict[str, int]:
    return sms_delivery.sms_deliver(engine=engine, now=lambda: at)


def test_a_hire_is_texted_once_to_a_worker_without_push(fresh_engine: Engine) -> None:
    worker_id, employer_id, _ = hired(fresh_engine)
    produce(fresh_engine)

    assert deliver(fresh_engine) == {"sent": 1, "retry": 0, "failed": 0}

    [text] = texts(fresh_engine)
    assert text.phone == user(fresh_engine, worker_id).phone
    assert text.template_id == "hired"
    assert "新房刷墙" in text.body and text.body.startswith("【零工】您已被录用")
    row = sms_row(fresh_engine, worker_id)
    assert (row.status, row.attempts) == ("sent", 1)
    # never twice: the next pass sends nothing; the employer's "new applicant" is no text
    assert deliver(fresh_engine)["sent"] == 0
    assert len(texts(fresh_engine)) == 1
    assert [d.channel for d in deliveries_of(fresh_engine, employer_id)] == ["inbox", "push"]


def test_no_text_when_push_reaches_the_phone(fresh_engine: Engine) -> None:
    worker_id, _, _ = hired(fresh_engine)
    with session_scope(fresh_engine) as session:
        notification_service.subscription_save(
            session=session,
            user_id=worker_id,
            data=SubscriptionCreate.model_validate(
                {
                    "endpoint": "https://fcm.googleapis.com/fcm/send/abc",
                    "keys": {
                        "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg"
                        "7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
                        "auth": "tBHItJI5svbpez7KI4CCXg",
                    },
                }
            ),
        )
    produce(fresh_engine)

    assert deliver(fresh_engine)["sent"] == 0
    assert texts(fresh_engine) == []
    row = sms_row(fresh_engine, worker_id)
    assert (row.status, row.error) == ("skipped", "push reaches the phone")


def test_push_turned_off_sends_the_text_and_sms_turned_off_does_not(
    fresh_engine: Engine,
) -> None:
    worker_id, _, _ = hired(fresh_engine)
    set_pref(fresh_engine, worker_id, sms=False)
    produce(fresh_engine)
    assert deliver(fresh_engine)["sent"] == 0
    assert (sms_row(fresh_engine, worker_id).status, texts(fresh_engine)) == ("skipped", [])

    other_id, _, _ = hired(fresh_engine)
    set_pref(fresh_engine, other_id, push=False)
    produce(fresh_engine)
    assert deliver(fresh_engine)["sent"] == 1
    assert [t.phone for t in texts(fresh_engine)] == [user(fresh_engine, other_id).phone]


def test_quiet_hours_hold_the_text_until_morning(fresh_engine: Engine) -> None:
    worker_id, _, _ = hired(fresh_engine)
    produce(fresh_engine)
    night = NOW.replace(hour=15)  # 23:00 in Yantai

    assert deliver(fresh_engine, night)["sent"] == 0
    row = sms_row(fresh_engine, worker_id)
    assert row.status == "pending" and row.attempts == 0
    assert row.next_attempt_at == NOW.replace(hour=22)  # 06:00 local
    assert deliver(fresh_engine, NOW.replace(hour=22))["sent"] == 1


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmsGateway]:
    """The loopback Dysms gateway, and settings that send through it."""
    with SmsGateway() as running:
        monkeypatch.setenv("LINGGONG_SMS_PROVIDER", "aliyun")
        monkeypatch.setenv("LINGGONG_SMS_ENDPOINT", running.endpoint)
        monkeypatch.setenv("LINGGONG_SMS_ACCESS_KEY_ID", running.access_key_id)
        monkeypatch.setenv("LINGGONG_SMS_ACCESS_KEY_SECRET", running.secret)
        monkeypatch.setenv("LINGGONG_SMS_SIGN_NAME", "零工")
        monkeypatch.setenv("LINGGONG_SMS_TEMPLATES", '{"hired": "SMS_400000001"}')
        get_settings.cache_clear()
        yield running
    monkeypatch.undo()
    get_settings.cache_clear()


def test_a_hire_goes_through_the_gateway_signed(fresh_engine: Engine, gateway: SmsGateway) -> None:
    worker_id, _, _ = hired(fresh_engine)
    produce(fresh_engine)

    assert deliver(fresh_engine)["sent"] == 1

    assert gateway.refused == []
    [got] = gateway.received
    assert (got.phone, got.template_code) == (user(fresh_engine, worker_id).phone, "SMS_400000001")
    assert got.params["job"] == "新房刷墙"
    assert texts(fresh_engine) == []  # the gateway has it, not the log table
    assert sms_row(fresh_engine, worker_id).status == "sent"


def test_a_refusing_gateway_is_retried_with_backoff_then_given_up(
    fresh_engine: Engine, gateway: SmsGateway
) -> None:
    worker_id, _, _ = hired(fresh_engine)
    with session_scope(fresh_engine) as session:
        worker = session.get(type(user(fresh_engine, worker_id)), worker_id)
        assert worker is not None
        worker.phone = THROTTLED
        session.add(worker)
    produce(fresh_engine)

    assert deliver(fresh_engine) == {"sent": 0, "retry": 1, "failed": 0}
    row = sms_row(fresh_engine, worker_id)
    assert row.status == "pending" and "isv.BUSINESS_LIMIT_CONTROL" in row.error
    assert row.next_attempt_at == NOW + timedelta(seconds=30)
    assert deliver(fresh_engine, NOW + timedelta(seconds=10))["retry"] == 0  # not due yet
    at = NOW
    for _ in range(5):
        at = sms_row(fresh_engine, worker_id).next_attempt_at
        deliver(fresh_engine, at)
    row = sms_row(fresh_engine, worker_id)
    assert (row.status, row.attempts) == ("failed", 6)
    assert gateway.refused == ["isv.BUSINESS_LIMIT_CONTROL"] * 6


def test_a_full_pass_texts_the_hire_and_the_2_hour_reminder_through_quiet_hours(
    fresh_engine: Engine,
) -> None:
    start = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)  # 06:00 in Yantai
    with session_scope(fresh_engine) as session:
        worker = make_worker(session)
        job = make_job(session, employer=make_employer(session), title="搬家", start_at=start)
        hire(session, job=job, worker=worker, now=start - timedelta(days=3))
        worker_id = worker.id or 0

    def run(at: datetime) -> dict[str, int]:
        return delivery_service.notify_once(
            engine=fresh_engine, render=translate, sender=None, now=lambda: at
        )

    # 18:00 the evening before: the hire is texted; the 12-hour reminder is not worth a text
    assert run(start - timedelta(hours=12))["sms_sent"] == 1
    assert [t.template_id for t in texts(fresh_engine)] == ["hired"]
    # 04:00, inside quiet hours: the 2-hour reminder is urgent and goes through, once
    assert run(start - timedelta(hours=2))["sms_sent"] == 1
    assert run(start - timedelta(hours=1, minutes=50))["sms_sent"] == 0
    sent = texts(fresh_engine)
    assert [t.template_id for t in sent] == ["hired", "shift_soon"]
    assert sent[1].body == "【零工】搬家将于12-02 06:00开工，请准时到岗。"
    assert sent[1].phone == user(fresh_engine, worker_id).phone
    sms_rows = [d for d in deliveries_of(fresh_engine, worker_id) if d.channel == "sms"]
    assert [d.status for d in sms_rows] == ["sent", "sent"]
