"""The delivery log's finished rows go after 90 days; pending ones and the inbox stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, update
from sqlmodel import col

from market import purge as purge_service
from market.db import session_scope
from market.models import Delivery
from market.types import utcnow
from tests.market.notifications.helpers import deliveries_of, hired, notes_of, produce


def _age(engine: Engine, user_id: int, days: int, **values: str) -> None:
    then = utcnow() - timedelta(days=days)
    with session_scope(engine) as session:
        session.execute(
            update(Delivery)
            .where(col(Delivery.user_id) == user_id)
            .values(created_at=then, next_attempt_at=then, updated_at=then)
        )
        for channel, status in values.items():
            session.execute(
                update(Delivery)
                .where(col(Delivery.user_id) == user_id, col(Delivery.channel) == channel)
                .values(status=status)
            )


def test_the_purge_deletes_finished_deliveries_over_90_days_old_only(
    fresh_engine: Engine,
) -> None:
    worker_id, employer_id, _ = hired(fresh_engine)
    produce(fresh_engine)
    _age(fresh_engine, worker_id, 91, push="failed")  # inbox sent, push failed, sms pending
    _age(fresh_engine, employer_id, 89, push="skipped", sms="sent")
    employer_before = deliveries_of(fresh_engine, employer_id)

    with session_scope(fresh_engine) as session:
        counts = purge_service.expired_purge(session=session)
    with session_scope(fresh_engine) as session:
        again = purge_service.expired_purge(session=session)

    assert counts["deliveries"] == 2 and again["deliveries"] == 0
    left = [(d.channel, d.status) for d in deliveries_of(fresh_engine, worker_id)]
    assert left == [("sms", "pending")]  # still to be sent, however old
    assert deliveries_of(fresh_engine, employer_id) == employer_before
    assert len(notes_of(fresh_engine, worker_id)) == 1  # the inbox keeps the message
