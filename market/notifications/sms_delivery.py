"""The SMS channel's delivery loop: text what must not be missed when push cannot reach.

Like push (market/notifications/delivery.py): claimed in one short transaction (its try
counted, a lease set), sent with no transaction of ours open, its outcome logged in
another; a process that dies between sending and logging sends again when the lease ends
(at least once), and the delivery log holds one row per (event, user, channel), so never
twice. Quiet hours hold a message unless it is urgent. At the time it is due a message is
skipped when push reaches the phone (push on and a subscribed browser), when the user
turned SMS off, or has no phone. A gateway's refusal is retried with backoff; one no retry
can cure (an illegal number) fails at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from market.db import session_scope
from market.models import User
from market.notifications import delivery as delivery_service
from market.notifications import service as notification_service
from market.notifications import sms as sms_service
from market.notifications.aliyun import SmsFailed
from market.notifications.models import Channel, Delivery, DeliveryStatus, NotifyPreference
from market.types import utcnow


@dataclass
class Texted:
    delivery_id: int
    phone: str
    template_id: str
    params: dict[str, str]
    sent_id: str = ""
    failure: SmsFailed | None = None


def _skip(user: User, pref: NotifyPreference, subscribed: bool) -> str:
    """Why this user gets no text now ("" when one is to be sent)."""
    if not pref.sms:
        return "sms turned off"
    if not user.phone:
        return "no phone"
    if pref.push and subscribed:
        return "push reaches the phone"
    return ""


def _claim(session: Session, now: datetime) -> list[Texted]:
    rows = delivery_service.due(session, Channel.sms, now)
    users = [user.id or 0 for _, _, user in rows]  # two reads a batch, not two a message
    prefs = notification_service.preferences_of(session=session, user_ids=users)
    phones = notification_service.subscriptions_of(session=session, user_ids=users)
    claimed = []
    for delivery, note, user in rows:
        delivery.updated_at = now
        session.add(delivery)
        template_id = sms_service.sms_template(note.kind, urgent=note.urgent)
        pref = prefs[user.id or 0]
        subscribed = bool(phones.get(user.id or 0))
        why = _skip(user, pref, subscribed) if template_id else "not worth a text"
        if why or template_id is None:
            delivery.status, delivery.error = DeliveryStatus.skipped, why
            continue
        held = None if note.urgent else delivery_service.quiet_until(pref, now)
        if held is not None:
            delivery.next_attempt_at = held
            continue
        delivery.attempts += 1
        delivery.next_attempt_at = now + delivery_service.LEASE
        params = sms_service.sms_params(template_id, note.params)
        claimed.append(Texted(delivery.id or 0, user.phone, template_id, params))
    session.flush()
    return claimed


def _send(engine: Engine, text: Texted) -> None:
    # the `log` provider writes its row in this session; a gateway never touches it
    with session_scope(engine) as session:
        provider = sms_service.sms_provider(session=session)
        try:
            text.sent_id = provider.send(text.phone, text.template_id, text.params)
        except SmsFailed as failure:
            text.failure = failure


def _record(session: Session, texts: list[Texted], now: datetime) -> dict[str, int]:
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for text in texts:
        delivery = session.get(Delivery, text.delivery_id)
        if delivery is None:
            continue
        delivery.updated_at = now
        if text.failure is None:
            delivery.status, delivery.sent_at, delivery.error = DeliveryStatus.sent, now, ""
            counts["sent"] += 1
        else:
            error, permanent = str(text.failure)[:300], text.failure.permanent
            delivery_service.try_failed(delivery, error, counts, now, permanent=permanent)
        session.add(delivery)
    session.flush()
    return counts


def sms_deliver(*, engine: Engine, now: Callable[[], datetime] = utcnow) -> dict[str, int]:
    """Send the text messages now due: how many were sent, retried, failed."""
    with session_scope(engine) as session:
        texts = _claim(session, now())
    if not texts:
        return {"sent": 0, "retry": 0, "failed": 0}
    for text in texts:
        _send(engine, text)
    with session_scope(engine) as session:
        return _record(session, texts, now())
