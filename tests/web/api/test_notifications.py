"""My notifications through the API: the inbox, marking read, channels and push subscriptions."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from market.db import session_scope
from market.events.service import event_record
from market.models import Notification, PushSubscription, User
from market.notifications.push import vapid_keys_new
from market.settings import Settings, get_settings
from market.types import utcnow
from tests.factories import auth, make_job, make_worker
from tests.market.service_helpers import hire
from tests.push_service import PushService
from web.app import create_app
from web.stats_refresh import notify_once


def make_notes(session: Session, user: User, count: int) -> list[Notification]:
    notes = []
    for i in range(count):
        event = event_record(session=session, kind="application.confirmed", payload={})
        session.flush()
        note = Notification(
            event_id=event.id or 0,
            user_id=user.id or 0,
            kind=event.kind,
            title="You are hired",
            body="{job}, {when}. The employer's phone is in My jobs",
            params={"job": f"刷墙{i}", "when": "12-01 07:00"},
            url="/my/jobs",
        )
        session.add(note)
        notes.append(note)
    session.flush()
    return notes


@pytest.fixture
def allow_loopback_push(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("LINGGONG_PUSH_HOSTS", '["127.0.0.1"]')
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_my_inbox_pages_newest_first_in_my_language(client: TestClient, session: Session) -> None:
    worker = make_worker(session)
    notes = make_notes(session, worker, 3)
    me = auth(session, worker)
    session.commit()

    first = client.get("/api/v1/notifications?limit=2", headers=me)
    assert first.status_code == 200, first.text
    assert [n["id"] for n in first.json()] == [notes[2].id, notes[1].id]
    assert first.json()[0]["title"] == "你被录用了"
    assert "刷墙2" in first.json()[0]["body"]
    rest = client.get(first.links["next"]["url"], headers=me)
    assert [n["id"] for n in rest.json()] == [notes[0].id]
    english = client.get("/api/v1/notifications?lang=en", headers=me).json()
    assert english[0]["title"] == "You are hired"
    assert client.get("/api/v1/notifications?after=bogus", headers=me).status_code == 422


def test_marking_read_counts_down_the_badge(client: TestClient, session: Session) -> None:
    worker = make_worker(session)
    notes = make_notes(session, worker, 3)
    me = auth(session, worker)
    session.commit()
    assert client.get("/api/v1/notifications/unread-count", headers=me).json() == {"unread": 3}

    answer = client.post(f"/api/v1/notifications/{notes[0].id}/read", headers=me)

    assert answer.status_code == 200 and answer.json()["read"] is True
    assert client.get("/api/v1/notifications/unread-count", headers=me).json() == {"unread": 2}
    assert client.post("/api/v1/notifications/read-all", headers=me).json() == {"marked": 2}
    assert client.get("/api/v1/notifications/unread-count", headers=me).json() == {"unread": 0}


def test_another_users_notification_is_not_found_and_stays_unread(
    client: TestClient, session: Session
) -> None:
    owner, other = make_worker(session), make_worker(session)
    [note] = make_notes(session, owner, 1)
    headers = auth(session, other)
    session.commit()

    for url in (f"/api/v1/notifications/{note.id}/read", "/api/v1/notifications/999999/read"):
        answer = client.post(url, headers=headers)
        assert answer.status_code == 404
        assert answer.json()["detail"] == "找不到这条通知"
    assert client.post("/api/v1/notifications/0/read", headers=headers).status_code == 422
    assert client.post("/api/v1/notifications/read-all", headers=headers).json() == {"marked": 0}
    session.refresh(note)
    assert note.read_at is None
    assert client.get("/api/v1/notifications").status_code == 401


def test_channels_and_quiet_hours_are_mine_to_set(client: TestClient, session: Session) -> None:
    me = auth(session, make_worker(session))
    session.commit()
    default = client.get("/api/v1/notifications/settings", headers=me).json()
    base = {"quiet_from": 22, "quiet_to": 6, "daily_alerts": 5}
    assert default == {"push": True, "sms": True, **base}

    assert (
        client.put(
            "/api/v1/notifications/settings", json={"quiet_from": 24}, headers=me
        ).status_code
        == 422
    )
    answer = client.put("/api/v1/notifications/settings", json={"push": False}, headers=me)

    assert answer.json() == {"push": False, "sms": True, **base}
    assert client.get("/api/v1/notifications/settings", headers=me).json()["push"] is False
    unchanged = client.put("/api/v1/notifications/settings", json={"quiet_to": None}, headers=me)
    assert unchanged.json() == {"push": False, "sms": True, **base}
    no_sms = client.put("/api/v1/notifications/settings", json={"sms": False}, headers=me)
    assert no_sms.json()["sms"] is False
    assert client.get("/api/v1/notifications/settings", headers=me).json()["sms"] is False
    refused = client.put("/api/v1/notifications/settings", json={"sms": "maybe"}, headers=me)
    assert refused.status_code == 422
    for wrong in (21, -1, "many"):
        answer = client.put(
            "/api/v1/notifications/settings", json={"daily_alerts": wrong}, headers=me
        )
        assert answer.status_code == 422
    fewer = client.put("/api/v1/notifications/settings", json={"daily_alerts": 2}, headers=me)
    assert fewer.json()["daily_alerts"] == 2


def test_a_malformed_subscription_is_refused_and_nothing_kept(
    client: TestClient, session: Session, allow_loopback_push: Any
) -> None:
    worker = make_worker(session)
    me = auth(session, worker)
    session.commit()
    with PushService("unused") as service:
        good = service.subscription("t")
    bad = [
        {**good, "endpoint": "http://10.0.0.5/push/t"},  # not a push service: never posted to
        {**good, "endpoint": "https://evil.example/push"},
        {**good, "keys": {**good["keys"], "p256dh": "A" * 87}},  # not a point on the curve
        {**good, "keys": {**good["keys"], "auth": "short"}},
        {"endpoint": good["endpoint"]},
        "not json at all",
    ]
    for body in bad:
        answer = client.post("/api/v1/push/subscriptions", json=body, headers=me)
        assert answer.status_code == 422, body
    assert session.exec(select(PushSubscription)).all() == []

    made = client.post("/api/v1/push/subscriptions", json=good, headers=me)
    assert made.status_code == 201, made.text
    again = client.post("/api/v1/push/subscriptions", json=good, headers=me)
    assert again.json()["id"] == made.json()["id"]  # the same browser: one row
    gone = client.request(
        "DELETE", "/api/v1/push/subscriptions", json={"endpoint": good["endpoint"]}, headers=me
    )
    assert gone.status_code == 204
    unknown = client.request(
        "DELETE", "/api/v1/push/subscriptions", json={"endpoint": good["endpoint"]}, headers=me
    )
    assert unknown.status_code == 404


def test_the_server_key_is_given_to_browsers(make_client: Callable[..., TestClient]) -> None:
    private, public = vapid_keys_new()
    client = make_client(settings=Settings(environment="test", vapid_private_key=private))

    answer = client.get("/api/v1/push/key")

    assert answer.status_code == 200
    assert answer.json() == {"public_key": public}


def test_without_a_key_in_production_browsers_are_told_push_is_not_set_up(
    make_client: Callable[..., TestClient],
) -> None:
    settings = Settings(
        environment="production",
        secret_key="k" * 40,
        rate_limits="off",
        id_key="2d7fAm5_cfRrLGqrC9Vi2jFqmJPmg0GsDR3vRH8RnZk=",
    )
    client = make_client(settings=settings, base_url="https://testserver")

    answer = client.get("/api/v1/push/key")

    assert answer.status_code == 409
    assert answer.json()["detail"] == "本服务器尚未开通手机提醒"


def test_a_browser_subscribed_through_the_api_is_pushed_the_hire(
    fresh_engine: Engine, allow_loopback_push: Any
) -> None:
    private, public = vapid_keys_new()
    settings = Settings(environment="test", vapid_private_key=private, rate_limits="off")
    with session_scope(fresh_engine) as session:
        worker = make_worker(session)
        me, worker_id = auth(session, worker), worker.id or 0
    with PushService(public) as service, TestClient(create_app(settings, engine=fresh_engine)) as c:
        subscribed = c.post(
            "/api/v1/push/subscriptions", json=service.subscription("p"), headers=me
        )
        assert subscribed.status_code == 201
        # no quiet time: this test runs at any hour (quiet hours have tests of their own)
        quiet = {"quiet_from": 0, "quiet_to": 0}
        assert c.put("/api/v1/notifications/settings", json=quiet, headers=me).status_code == 200
        with session_scope(fresh_engine) as session:
            job = make_job(session, title="搬家", start_at=utcnow() + timedelta(days=3))
            hire(session, job=job, worker=session.get(User, worker_id), now=utcnow())  # type: ignore[arg-type]

        # the app's own relay may be numbering the events right now: a later pass gets them
        sent, deadline = 0, time.monotonic() + 10
        while not sent and time.monotonic() < deadline:
            sent = notify_once(fresh_engine, settings)["sent"]
            time.sleep(0.05 if not sent else 0)

        assert sent == 1
        assert service.refused == []
        assert service.received[0].payload["title"] == "你被录用了"
        assert "搬家" in service.received[0].payload["body"]
        inbox = c.get("/api/v1/notifications", headers=me).json()
        assert [n["kind"] for n in inbox] == ["application.confirmed"]
