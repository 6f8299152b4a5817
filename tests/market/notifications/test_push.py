"""Push delivery end to end: VAPID-signed, RFC 8291-encrypted, decrypted by the browser's key."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from market.db import session_scope
from market.models import Notification, NotifyPreference, PushSubscription
from market.notifications import delivery as delivery_service
from market.notifications import service as notification_service
from market.notifications.schemas import SubscriptionCreate
from tests.market.notifications.helpers import NOW, deliveries_of, hired, produce
from tests.push_service import PushService
from web.i18n import translate


def subscribe(engine: Engine, user_id: int, service: PushService, token: str) -> None:
    with session_scope(engine) as session:
        notification_service.subscription_save(
            session=session,
            user_id=user_id,
            data=SubscriptionCreate.model_validate(service.subscription(token)),
        )


def deliver(engine: Engine, sender: Any, at: Any = NOW) -> dict[str, int]:
    return delivery_service.push_deliver(
        engine=engine, render=translate, sender=sender, now=lambda: at
    )


def push_row(engine: Engine, user_id: int) -> Any:
    return next(d for d in deliveries_of(engine, user_id) if d.channel == "push")


def test_a_hire_reaches_the_workers_phone_encrypted_in_their_language(
    fresh_engine: Engine, push_service: PushService, sender: Any
) -> None:
    worker_id, _, _ = hired(fresh_engine, locale="zh_CN")
    subscribe(fresh_engine, worker_id, push_service, "w1")
    produce(fresh_engine)

    assert deliver(fresh_engine, sender)["sent"] == 1

    assert push_service.refused == []
    [got] = push_service.received
    assert got.token == "w1"
    assert got.payload["title"] == "你被录用了"
    assert "新房刷墙" in got.payload["body"]
    assert got.payload["url"] == "/my/jobs"
    assert got.claims["aud"] == push_service.origin
    row = push_row(fresh_engine, worker_id)
    assert (row.status, row.attempts, row.error) == ("sent", 1, "")
    # sent once: the next pass sends nothing
    assert deliver(fresh_engine, sender)["sent"] == 0
    assert len(push_service.received) == 1


def test_english_speakers_get_english(
    fresh_engine: Engine, push_service: PushService, sender: Any
) -> None:
    worker_id, _, _ = hired(fresh_engine, locale="en")
    subscribe(fresh_engine, worker_id, push_service, "w2")
    produce(fresh_engine)

    deliver(fresh_engine, sender)

    assert push_service.received[0].payload["title"] == "You are hired"


def test_a_gone_subscription_is_forgotten(
    fresh_engine: Engine, push_service: PushService, sender: Any
) -> None:
    worker_id, _, _ = hired(fresh_engine)
    subscribe(fresh_engine, worker_id, push_service, "old")
    push_service.answers["old"] = [410]
    produce(fresh_engine)

    assert deliver(fresh_engine, sender)["gone"] == 1

    with Session(fresh_engine) as session:
        assert notification_service.list_subscriptions(session=session, user_id=worker_id) == []
    row = push_row(fresh_engine, worker_id)
    assert (row.status, row.error) == ("skipped", "subscription expired")


def test_a_failing_push_service_is_tried_again_later_then_given_up(
    fresh_engine: Engine, push_service: PushService, sender: Any
) -> None:
    worker_id, _, _ = hired(fresh_engine)
    subscribe(fresh_engine, worker_id, push_service, "flaky")
    push_service.answers["flaky"] = [500, 503]
    produce(fresh_engine)

    assert deliver(fresh_engine, sender)["retry"] == 1
    row = push_row(fresh_engine, worker_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.error.startswith("500")
    assert row.next_attempt_at == NOW + timedelta(seconds=30)
    assert deliver(fresh_engine, sender, NOW + timedelta(seconds=10))["retry"] == 0  # not yet

    assert deliver(fresh_engine, sender, NOW + timedelta(seconds=30))["retry"] == 1
    assert push_row(fresh_engine, worker_id).next_attempt_at == NOW + timedelta(seconds=90)
    assert deliver(fresh_engine, sender, NOW + timedelta(minutes=2))["sent"] == 1
    assert push_row(fresh_engine, worker_id).attempts == 3
    assert len(push_service.received) == 1

    # a service that never answers well: given up after the last try, and logged
    push_service.answers["flaky"] = [500] * 10
    with session_scope(fresh_engine) as session:
        row = session.get(type(row), row.id)
        row.status, row.attempts, row.next_attempt_at = "pending", 5, NOW
    assert deliver(fresh_engine, sender)["failed"] == 1
    assert push_row(fresh_engine, worker_id).status == "failed"


def test_an_unreachable_push_service_is_an_error_logged_not_a_crash(
    fresh_engine: Engine, push_service: PushService, sender: Any
) -> None:
    worker_id, _, _ = hired(fresh_engine)
    subscribe(fresh_engine, worker_id, push_service, "w3")
    produce(fresh_engine)
    push_service.__exit__()  # the service is down

    assert deliver(fresh_engine, sender)["retry"] == 1

    assert "ConnectionError" in push_row(fresh_engine, worker_id).error


def test_quiet_hours_hold_a_message_until_morning(
    fresh_engine: Engine, push_service: PushService, sender: Any
) -> None:
    worker_id, _, _ = hired(fresh_engine)
    subscribe(fresh_engine, worker_id, push_service, "night")
    produce(fresh_engine)
    night = NOW.replace(hour=15)  # 23:00 in Yantai

    assert deliver(fresh_engine, sender, night)["sent"] == 0

    held = push_row(fresh_engine, worker_id)
    assert (held.status, held.attempts) == ("pending", 0)
    assert held.next_attempt_at == NOW.replace(hour=22)  # 06:00 in Yantai
    assert deliver(fresh_engine, sender, NOW.replace(hour=22))["sent"] == 1


def test_push_turned_off_sends_nothing(
    fresh_engine: Engine, push_service: PushService, sender: Any
) -> None:
    worker_id, _, _ = hired(fresh_engine)
    subscribe(fresh_engine, worker_id, push_service, "off")
    with session_scope(fresh_engine) as session:
        session.add(NotifyPreference(user_id=worker_id, push=False))
    produce(fresh_engine)

    deliver(fresh_engine, sender)

    assert push_service.received == []
    assert push_row(fresh_engine, worker_id).status == "skipped"


def test_quiet_hours_span_midnight_or_not() -> None:
    pref = NotifyPreference(user_id=1)
    assert delivery_service.quiet_until(pref, NOW) is None  # 12:00
    assert delivery_service.quiet_until(pref, NOW.replace(hour=21)) is not None  # 05:00
    assert (
        delivery_service.quiet_until(
            NotifyPreference(user_id=1, quiet_from=6, quiet_to=6), NOW.replace(hour=15)
        )
        is None
    )
    assert delivery_service.backoff(1) == timedelta(seconds=30)
    assert delivery_service.backoff(20) == timedelta(hours=1)


def test_no_subscription_is_logged_as_skipped_when_written_and_when_due(
    fresh_engine: Engine, push_service: PushService, sender: Any
) -> None:
    """A user with no subscribed phone when the notification is written gets the push row
    skipped at once (the push pass never claims it); one whose phone is gone by the time
    the push is due is skipped by the pass."""
    never, dropped = hired(fresh_engine)[0], hired(fresh_engine)[0]
    subscribe(fresh_engine, dropped, push_service, "soon gone")
    produce(fresh_engine)

    assert (push_row(fresh_engine, never).status, push_row(fresh_engine, never).error) == (
        "skipped",
        "no subscribed phone",
    )
    assert push_row(fresh_engine, dropped).status == "pending"
    with session_scope(fresh_engine) as session:
        for sub in session.exec(
            select(PushSubscription).where(PushSubscription.user_id == dropped)
        ):
            session.delete(sub)

    assert deliver(fresh_engine, sender) == {"sent": 0, "retry": 0, "failed": 0, "gone": 0}

    row = push_row(fresh_engine, dropped)
    assert (row.status, row.error, row.attempts) == ("skipped", "no subscribed phone", 0)
    assert push_row(fresh_engine, never).attempts == 0
    assert push_service.received == []


def test_an_urgent_message_goes_through_quiet_hours(
    fresh_engine: Engine, push_service: PushService, sender: Any
) -> None:
    worker_id, _, _ = hired(fresh_engine)
    subscribe(fresh_engine, worker_id, push_service, "urgent")
    produce(fresh_engine)
    with session_scope(fresh_engine) as session:
        for note in session.exec(select(Notification).where(Notification.user_id == worker_id)):
            note.urgent = True
            session.add(note)

    assert deliver(fresh_engine, sender, NOW.replace(hour=15))["sent"] == 1  # 23:00 local


def test_one_pass_tells_each_user_of_a_batch_apart(
    fresh_engine: Engine, push_service: PushService, sender: Any
) -> None:
    """Preferences and phones are read for the whole batch at once: each answer must still
    be the user's own (push off, subscribed twice, quiet, never chose, no phone)."""
    off, twice, quiet, plain = (hired(fresh_engine)[0] for _ in range(4))
    subscribe(fresh_engine, off, push_service, "off")
    subscribe(fresh_engine, twice, push_service, "a")
    subscribe(fresh_engine, twice, push_service, "b")
    subscribe(fresh_engine, quiet, push_service, "quiet")
    with session_scope(fresh_engine) as session:
        session.add(NotifyPreference(user_id=off, push=False))
        session.add(NotifyPreference(user_id=quiet, quiet_from=11, quiet_to=13))  # 12:00 now
    produce(fresh_engine)

    assert deliver(fresh_engine, sender)["sent"] == 1

    assert sorted(got.token for got in push_service.received) == ["a", "b"]
    assert push_row(fresh_engine, off).status == "skipped"
    assert push_row(fresh_engine, twice).status == "sent"
    held = push_row(fresh_engine, quiet)
    assert (held.status, held.next_attempt_at) == ("pending", NOW.replace(hour=5))  # 13:00
    assert (push_row(fresh_engine, plain).status, push_row(fresh_engine, plain).error) == (
        "skipped",
        "no subscribed phone",
    )
