"""Shared set-up of the notification tests: a market with one hire, committed for real."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from market.db import session_scope
from market.events import outbox as outbox_service
from market.models import Delivery, Notification, PushSubscription, User
from market.notifications import service as notification_service
from market.types import utcnow
from tests.factories import make_employer, make_job, make_worker
from tests.market.service_helpers import hire

NOW = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)  # 12:00 in Yantai: no quiet hours


def has_phone(session: Session, user_id: int) -> None:
    """Give the user a subscribed phone (a stored Web Push subscription), so their push
    messages wait for the push pass instead of being skipped when written."""
    session.add(
        PushSubscription(
            user_id=user_id,
            endpoint=f"https://push.example/phone-{user_id}",
            p256dh="p256dh",
            auth="auth",
        )
    )
    session.flush()


def hired(engine: Engine, *, locale: str = "zh_CN") -> tuple[int, int, int]:
    """Commit a job with one hire: (worker id, employer id, job id)."""
    with session_scope(engine) as session:
        employer = make_employer(session)
        worker = make_worker(session)
        worker.locale = locale
        session.add(worker)
        # days ahead of both clocks: no shift reminder is due yet
        start = max(NOW, utcnow()).replace(microsecond=0) + timedelta(days=3)
        job = make_job(session, employer=employer, title="新房刷墙", start_at=start)
        application = hire(session, job=job, worker=worker, now=NOW)
        assert application.id
        return worker.id or 0, employer.id or 0, job.id or 0


def produce(engine: Engine) -> int:
    outbox_service.number_pending(engine=engine)
    with session_scope(engine) as session:
        return notification_service.notifications_produce(session=session, now=NOW)


def notes_of(engine: Engine, user_id: int) -> list[Notification]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Notification)
                .where(Notification.user_id == user_id)
                .order_by(col(Notification.id))
            )
        )


def deliveries_of(engine: Engine, user_id: int) -> list[Delivery]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Delivery).where(Delivery.user_id == user_id).order_by(col(Delivery.id))
            )
        )


def user(engine: Engine, user_id: int) -> User:
    with Session(engine) as session:
        found = session.get(User, user_id)
        assert found is not None
        return found


def race(run: Callable[[], object], threads: int = 4) -> None:
    """Start `run` in `threads` threads at once (as replicas' loops would) and re-raise
    the first error any of them met."""
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def start() -> None:
        try:
            barrier.wait()
            run()
        except BaseException as error:
            errors.append(error)

    started = [threading.Thread(target=start) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    assert errors == []
