"""The push channel's delivery loop: claim what is due, send it, log what happened.

A delivery is claimed in one short transaction (its try counted, its next try set a lease
ahead), sent with no transaction open (a push service may take seconds; SQLite's write lock
is not held meanwhile), and its outcome logged in another. A process that dies after
sending and before logging sends that one again when the lease ends: at least once. The
log itself never holds two rows for one (event, user, channel).

Quiet hours hold a message until they end, unless it is urgent (a shift about to start).
A 404 or 410 from the push service means the browser dropped the subscription: it is
forgotten. Any other failure is tried again later, backing off, and logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from market.db import session_scope
from market.events import outbox as outbox_service
from market.feed.readmodel import FeedReadModel
from market.i18n import local
from market.models import User
from market.notifications import alerts as alert_service
from market.notifications import checkin as checkin_service
from market.notifications import reminders as reminder_service
from market.notifications import service as notification_service
from market.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Notification,
    NotifyPreference,
    PushSubscription,
)
from market.notifications.push import Sent
from market.types import utcnow

log = logging.getLogger("linggong.notify")
BATCH = 100
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)

Render = Callable[..., str]  # (locale, msgid, **params) -> text in that locale


class Sender(Protocol):
    def __call__(
        self, *, endpoint: str, p256dh: str, auth: str, payload: dict[str, Any]
    ) -> Sent: ...


@dataclass
class Claimed:
    delivery_id: int
    payload: dict[str, Any]
    subscriptions: list[tuple[int, str, str, str]]  # id, endpoint, p256dh, auth
    results: dict[int, Sent] = field(default_factory=dict)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: 30 s, 1 min, 2 min, ... 1 h."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def quiet_until(pref: NotifyPreference, now: datetime) -> datetime | None:
    """When the user's quiet hours end, if `now` lies in them (else None)."""
    start, end = pref.quiet_from, pref.quiet_to
    here = local(now)
    hour = here.hour
    quiet = (start < end and start <= hour < end) or (start > end and (hour >= start or hour < end))
    if not quiet:
        return None
    until = here.replace(hour=end, minute=0, second=0, microsecond=0)
    if until <= here:
        until += timedelta(days=1)
    return until


def due(
    session: Session, channel: Channel, now: datetime
) -> Sequence[tuple[Delivery, Notification, User]]:
    """A batch of the channel's pending deliveries now due, oldest first, with their
    notification and user; locked, and on PostgreSQL skipping those another replica holds."""
    return session.exec(
        select(Delivery, Notification, User)
        .join(Notification, col(Notification.id) == col(Delivery.notification_id))
        .join(User, col(User.id) == col(Delivery.user_id))
        .where(
            Delivery.status == DeliveryStatus.pending,
            Delivery.channel == channel,
            col(Delivery.next_attempt_at) <= now,
        )
        .order_by(col(Delivery.next_attempt_at), col(Delivery.id))
        .limit(BATCH)
        .with_for_update(skip_locked=True, of=Delivery)  # replicas share the work (PostgreSQL)
    ).all()


def try_failed(
    delivery: Delivery, error: str, counts: dict[str, int], now: datetime, *, permanent: bool
) -> None:
    """Log a failed try: given up after the last try (or a failure no retry mends), else
    tried again later, backing off; counted as `failed` or `retry`."""
    delivery.error = error
    if permanent or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.failed
        counts["failed"] += 1
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        counts["retry"] += 1
    log.warning(
        "%s delivery %s failed (try %s): %s",
        delivery.channel,
        delivery.id,
        delivery.attempts,
        delivery.error,
    )


def _claim(session: Session, render: Render, now: datetime) -> list[Claimed]:
    rows = due(session, Channel.push, now)
    users = [user.id or 0 for _, _, user in rows]  # two reads a batch, not two a message
    prefs = notification_service.preferences_of(session=session, user_ids=users)
    phones = notification_service.subscriptions_of(session=session, user_ids=users)
    claimed = []
    for delivery, note, user in rows:
        delivery.updated_at = now
        session.add(delivery)
        pref = prefs[user.id or 0]
        if not pref.push:
            delivery.status = DeliveryStatus.skipped
            delivery.error = notification_service.PUSH_OFF
            continue
        held = None if note.urgent else quiet_until(pref, now)
        if held is not None:
            delivery.next_attempt_at = held
            continue
        subs = phones.get(user.id or 0, [])
        if not subs:
            delivery.status = DeliveryStatus.skipped
            delivery.error = notification_service.NO_SUBSCRIPTION
            continue
        delivery.attempts += 1
        delivery.next_attempt_at = now + LEASE
        locale = user.locale or "zh_CN"
        payload = {
            "id": note.id,
            "title": render(locale, note.title, **note.params),
            "body": render(locale, note.body, **note.params),
            "url": note.url,
            "tag": f"lg-{note.id}",
        }
        subscriptions = [(s.id or 0, s.endpoint, s.p256dh, s.auth) for s in subs]
        claimed.append(Claimed(delivery.id or 0, payload, subscriptions))
    session.flush()
    return claimed


def _record(session: Session, claims: list[Claimed], now: datetime) -> dict[str, int]:
    counts = {"sent": 0, "retry": 0, "failed": 0, "gone": 0}
    for claim in claims:
        delivery = session.get(Delivery, claim.delivery_id)
        if delivery is None:
            continue
        gone = [sid for sid, sent in claim.results.items() if sent.gone]
        for sid in gone:
            sub = session.get(PushSubscription, sid)
            if sub is not None:
                session.delete(sub)
        counts["gone"] += len(gone)
        failures = [s for s in claim.results.values() if not s.ok and not s.gone]
        delivery.updated_at = now
        if any(s.ok for s in claim.results.values()):
            delivery.status, delivery.sent_at, delivery.error = DeliveryStatus.sent, now, ""
            counts["sent"] += 1
        elif not failures:  # every subscription was gone
            delivery.status, delivery.error = DeliveryStatus.skipped, "subscription expired"
        else:
            error = failures[0].error or f"HTTP {failures[0].status}"
            try_failed(delivery, error, counts, now, permanent=False)
        session.add(delivery)
    session.flush()
    return counts


def push_deliver(
    *,
    engine: Engine,
    render: Render,
    sender: Sender,
    now: Callable[[], datetime] = utcnow,
) -> dict[str, int]:
    """Send the push messages now due: how many were sent, retried, failed, forgotten."""
    with session_scope(engine) as session:
        claims = _claim(session, render, now())
    for claim in claims:
        for sid, endpoint, p256dh, auth in claim.subscriptions:
            claim.results[sid] = sender(
                endpoint=endpoint, p256dh=p256dh, auth=auth, payload=claim.payload
            )
    if not claims:
        return {"sent": 0, "retry": 0, "failed": 0, "gone": 0}
    with session_scope(engine) as session:
        return _record(session, claims, now())


def notify_once(
    *,
    engine: Engine,
    render: Render,
    sender: Sender | None,
    now: Callable[[], datetime] = utcnow,
    model: FeedReadModel | None = None,
) -> dict[str, int]:
    """One pass: write the shift reminders, check-in notices and digests due, number new
    outbox events, make their notifications, send the push and text messages due (no
    `sender`: push messages wait). New-job alerts rank the workers of the replica's read
    `model` when it is ready."""
    with session_scope(engine) as session:
        reminder_service.reminders_send(session=session, now=now())
    with session_scope(engine) as session:
        checkin_service.checkin_open_send(session=session, now=now())
    with session_scope(engine) as session:
        alert_service.digests_send(session=session, now=now())
    outbox_service.number_pending(engine=engine)
    events = 0
    while True:
        with session_scope(engine) as session:
            read = notification_service.notifications_produce(
                session=session, now=now(), model=model
            )
        events += read
        if read < notification_service.BATCH:
            break
    pushed = {"sent": 0, "retry": 0, "failed": 0, "gone": 0}
    if sender is not None:
        pushed = push_deliver(engine=engine, render=render, sender=sender, now=now)
    # after push: a subscription push just found gone lets the text go out in this pass
    from market.notifications import sms_delivery  # it builds on this module

    texted = sms_delivery.sms_deliver(engine=engine, now=now)
    return {"events": events, **pushed, **{f"sms_{k}": v for k, v in texted.items()}}
