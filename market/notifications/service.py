"""Notifications from the outbox, the inbox, each user's channels and push subscriptions.

`notifications_produce` follows the outbox by its gap-free `seq` with a stored cursor: the
notifications, their delivery rows and the cursor's move commit together, so each event is
turned into notifications once (at least once, and the unique (event, user, channel) pair
of the delivery log refuses a second). On PostgreSQL an advisory lock lets one replica
produce at a time; on SQLite the write lock does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from market import paging
from market.db import among, insert_rows, try_xact_lock
from market.errors import N_, NotFound
from market.feed.readmodel import FeedReadModel
from market.models import Event
from market.notifications import alerts as alert_service
from market.notifications import sms as sms_service
from market.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Notification,
    NotifyCursor,
    NotifyPreference,
    PushSubscription,
)
from market.notifications.schemas import PreferenceUpdate, SubscriptionCreate
from market.notifications.texts import Draft, drafts_for
from market.types import utcnow

PRODUCE_LOCK = 0x6C675F6E6F74696D  # "lg_notim": held by one producer until its commit
CURSOR = "outbox"
BATCH = 500
IN_CHUNK = 5000  # ids per IN (...) list
NO_SUBSCRIPTION = "no subscribed phone"  # a push delivery's note: nowhere to send it
PUSH_OFF = "push turned off"  # ... and: the user turned push off
LOG_RETENTION = timedelta(days=90)  # how long the delivery log keeps a finished row


def get_preference(*, session: Session, user_id: int) -> NotifyPreference:
    """The user's channels and quiet hours (the defaults when never set)."""
    return session.get(NotifyPreference, user_id) or NotifyPreference(user_id=user_id)


# what a user who never chose has; shared by every such user's answer, so read it only
# (building a model instance per user was a tenth of what a new job's alerts cost)
_DEFAULT_PREFERENCE = NotifyPreference(user_id=0)


def preferences_of(*, session: Session, user_ids: Sequence[int]) -> dict[int, NotifyPreference]:
    """`get_preference` for many users in one read per chunk (SQLite caps a statement's
    parameters): every id gets an answer, to be read, not changed or saved."""
    ids = sorted(set(user_ids))
    found: dict[int, NotifyPreference] = {}
    for at in range(0, len(ids), IN_CHUNK):
        chunk = ids[at : at + IN_CHUNK]
        rows = session.exec(
            select(NotifyPreference).where(among(session, col(NotifyPreference.user_id), chunk))
        ).all()
        found.update((row.user_id, row) for row in rows)
    return {i: found.get(i, _DEFAULT_PREFERENCE) for i in ids}


def subscribed_among(*, session: Session, user_ids: Sequence[int]) -> set[int]:
    """Which of these users have a push subscription (one read of ids per chunk)."""
    ids = sorted(set(user_ids))
    return {
        user_id
        for at in range(0, len(ids), IN_CHUNK)
        for user_id in session.exec(
            select(PushSubscription.user_id)
            .where(among(session, col(PushSubscription.user_id), ids[at : at + IN_CHUNK]))
            .distinct()
        )
    }


def subscriptions_of(
    *, session: Session, user_ids: Sequence[int]
) -> dict[int, list[PushSubscription]]:
    """`list_subscriptions` for many users in one read per chunk (no entry: none)."""
    ids = sorted(set(user_ids))
    found: dict[int, list[PushSubscription]] = {}
    for at in range(0, len(ids), IN_CHUNK):
        rows = session.exec(
            select(PushSubscription)
            .where(among(session, col(PushSubscription.user_id), ids[at : at + IN_CHUNK]))
            .order_by(col(PushSubscription.id))
        ).all()
        for row in rows:
            found.setdefault(row.user_id, []).append(row)
    return found


def notifications_produce(
    *,
    session: Session,
    now: datetime | None = None,
    limit: int = BATCH,
    model: FeedReadModel | None = None,
) -> int:
    """Turn the numbered events after the cursor into notifications: how many events read.

    Returns 0 when another replica holds the lock right now.
    """
    now = now or utcnow()
    if not try_xact_lock(session, PRODUCE_LOCK):
        return 0
    cursor = session.get(NotifyCursor, CURSOR)
    if cursor is None:
        cursor = NotifyCursor(name=CURSOR, last_seq=0)
        session.add(cursor)
        session.flush()
    events = session.exec(
        select(Event).where(col(Event.seq) > cursor.last_seq).order_by(col(Event.seq)).limit(limit)
    ).all()
    if not events:
        return 0
    done = set(
        session.exec(
            select(Notification.event_id, Notification.user_id).where(
                col(Notification.event_id).in_([e.id for e in events])
            )
        ).all()
    )
    alerts = alert_service.alert_drafts(
        session=session,
        events=[e for e in events if e.kind == alert_service.KIND],
        now=now,
        model=model,
    )
    written: list[tuple[Event, Draft]] = []
    for event in events:
        made = alerts.get(event.id or 0, []) if event.kind == alert_service.KIND else None
        drafts = [
            draft
            for draft in (drafts_for(session=session, event=event) if made is None else made)
            if (event.id, draft.user_id) not in done  # made already (a cursor set back)
        ]
        for draft in drafts:
            done.add((event.id or 0, draft.user_id))
            written.append((event, draft))
    # the day's caps, counted over the batch's alerts at once, in event order
    at = [i for i, (event, _) in enumerate(written) if event.kind == alert_service.KIND]
    capped = alert_service.alerts_capped(
        session=session, drafts=[written[i][1] for i in at], now=now
    )
    for i, draft in zip(at, capped, strict=True):
        written[i] = (written[i][0], draft)
    _write_all(session, written, now)
    cursor.last_seq, cursor.updated_at = events[-1].seq or 0, now
    session.add(cursor)
    session.flush()
    return len(events)


def _write_all(session: Session, written: list[tuple[Event, Draft]], now: datetime) -> None:
    """The notifications of a batch, in order, each with its inbox, push and text delivery
    rows: inserted as plain rows, a few statements a batch (as ORM objects, building and
    flushing them was half of what a posted job cost the notify loop)."""
    if not written:
        return
    # plain rows (market.db.insert_rows): the ORM's bulk path cost as much again
    insert_rows(
        session,
        Notification.__table__,  # type: ignore[attr-defined]
        [
            {
                "event_id": event.id or 0,
                "user_id": draft.user_id,
                "kind": event.kind,
                "title": draft.title,
                "body": draft.body,
                "params": draft.params,
                "url": draft.url,
                "urgent": draft.urgent,
                "created_at": now,
                "read_at": None,
            }
            for event, draft in written
        ],
    )
    events = sorted({event.id or 0 for event, _ in written})
    note_ids = {
        (event_id, user_id): note_id
        for at in range(0, len(events), IN_CHUNK)
        for note_id, event_id, user_id in session.execute(
            select(Notification.id, Notification.event_id, Notification.user_id).where(
                col(Notification.event_id).in_(events[at : at + IN_CHUNK])
            )
        )
    }
    users = [draft.user_id for _, draft in written]
    chosen = preferences_of(session=session, user_ids=users)
    subscribed = subscribed_among(session=session, user_ids=users)
    rows = []
    for event, draft in written:
        note = (note_ids[(event.id or 0, draft.user_id)], event.id or 0, draft.user_id)
        pref = chosen[draft.user_id]
        # the inbox has it the moment it is written
        rows.append(_delivery(note, Channel.inbox, DeliveryStatus.sent, now))
        if draft.held:  # a new-job alert beyond the day's number: the evening digest counts it
            rows.append(
                _delivery(note, Channel.push, DeliveryStatus.skipped, now, alert_service.HELD)
            )
        elif not pref.push:
            rows.append(_delivery(note, Channel.push, DeliveryStatus.skipped, now, PUSH_OFF))
        elif draft.user_id not in subscribed:
            # logged as the push pass would log it, without its claim and update: most
            # phones here never subscribe (no browser push service reaches them)
            rows.append(_delivery(note, Channel.push, DeliveryStatus.skipped, now, NO_SUBSCRIPTION))
        else:
            rows.append(_delivery(note, Channel.push, DeliveryStatus.pending, now))
        if sms_service.sms_template(event.kind, urgent=draft.urgent) is not None:
            # whether push reaches the phone is decided when it is due (sms_delivery)
            status = DeliveryStatus.pending if pref.sms else DeliveryStatus.skipped
            error = "" if pref.sms else "sms turned off"
            rows.append(_delivery(note, Channel.sms, status, now, error))
    insert_rows(session, Delivery.__table__, rows)  # type: ignore[attr-defined]


def _delivery(
    note: tuple[int, int, int],
    channel: Channel,
    status: DeliveryStatus,
    now: datetime,
    error: str = "",
) -> dict[str, object]:
    """A delivery row of the notification (id, event id, user id)."""
    sent = status == DeliveryStatus.sent
    return {
        "notification_id": note[0],
        "event_id": note[1],
        "user_id": note[2],
        "channel": channel,
        "status": status,
        "attempts": 1 if sent else 0,
        "error": error,
        "created_at": now,
        "next_attempt_at": now,
        "sent_at": now if sent else None,
        "updated_at": now,
    }


# ------------------------------------------------------------------ the inbox


def list_notifications(
    *, session: Session, user_id: int, after: str | None = None, limit: int = paging.DEFAULT_LIMIT
) -> paging.Page[Notification]:
    """The user's notifications, newest first, keyset-paged by id."""
    limit = paging.clamp(limit)
    query = select(Notification).where(Notification.user_id == user_id)
    if after:
        (last,) = paging.decode(after, int)
        query = query.where(col(Notification.id) < last)
    rows = session.exec(query.order_by(col(Notification.id).desc()).limit(limit + 1)).all()
    return paging.page_of(rows, limit, lambda n: (n.id or 0,))


def count_unread(*, session: Session, user_id: int) -> int:
    """How many of the user's notifications are unread (one COUNT on an index)."""
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
    ).one()


def notification_read(
    *, session: Session, user_id: int, notification_id: int, now: datetime | None = None
) -> Notification:
    """Mark one of the user's notifications read (again is fine); another's is not found."""
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != user_id:
        raise NotFound(N_("Notification not found"))
    if note.read_at is None:
        note.read_at = now or utcnow()
        session.add(note)
        session.flush()
    return note


def notifications_read_all(*, session: Session, user_id: int, now: datetime | None = None) -> int:
    """Mark every unread notification of the user read: how many."""
    result = session.execute(
        update(Notification)
        .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
        .values(read_at=now or utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# ------------------------------------------------------------------ channels and phones


def preference_update(
    *, session: Session, user_id: int, data: PreferenceUpdate, now: datetime | None = None
) -> NotifyPreference:
    """Set the user's push and SMS switches and quiet hours."""
    pref = session.get(NotifyPreference, user_id) or NotifyPreference(user_id=user_id)
    for name, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(pref, name, value)
    pref.updated_at = now or utcnow()
    session.add(pref)
    session.flush()
    return pref


def subscription_save(
    *, session: Session, user_id: int, data: SubscriptionCreate, now: datetime | None = None
) -> PushSubscription:
    """Keep this browser's push subscription for the user (a known endpoint changes hands)."""
    row = session.exec(
        select(PushSubscription).where(PushSubscription.endpoint == data.endpoint)
    ).first()
    if row is None:
        row = PushSubscription(endpoint=data.endpoint, user_id=user_id, p256dh="", auth="")
    row.user_id, row.p256dh, row.auth = user_id, data.keys.p256dh, data.keys.auth
    row.created_at = now or utcnow()
    session.add(row)
    session.flush()
    return row


def subscription_delete(*, session: Session, user_id: int, endpoint: str) -> None:
    """Forget this browser's subscription; one the user does not have is not found."""
    row = session.exec(
        select(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.user_id == user_id
        )
    ).first()
    if row is None:
        raise NotFound(N_("This phone is not subscribed"))
    session.delete(row)
    session.flush()


def list_subscriptions(*, session: Session, user_id: int) -> Sequence[PushSubscription]:
    """The user's subscribed browsers."""
    return session.exec(
        select(PushSubscription)
        .where(PushSubscription.user_id == user_id)
        .order_by(col(PushSubscription.id))
    ).all()


def deliveries_purge(*, session: Session, now: datetime | None = None) -> int:
    """Delete the delivery log's finished rows (sent, failed, skipped) over 90 days old.

    A pending row stays, however old: it is still to be sent. Age is the last try's time
    (`next_attempt_at`, never before `created_at`), which the log's due index holds.
    """
    cutoff = (now or utcnow()) - LOG_RETENTION
    finished = [s.value for s in DeliveryStatus if s != DeliveryStatus.pending]
    result = session.exec(
        delete(Delivery).where(
            col(Delivery.status).in_(finished),
            col(Delivery.channel).in_([c.value for c in Channel]),
            col(Delivery.next_attempt_at) < cutoff,
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
