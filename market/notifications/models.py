"""Notifications: what a user must not miss, their inbox, and each channel's delivery log."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlmodel import Field, SQLModel

from market.types import UTCDateTime, utcnow


class Channel(StrEnum):
    inbox = "inbox"  # the in-app inbox: always on
    push = "push"  # Web Push to the phone's browser (VAPID)
    sms = "sms"  # a text message for what must not be missed, when push cannot reach


class DeliveryStatus(StrEnum):
    pending = "pending"  # waiting for its first try, its next try, or the end of quiet hours
    sent = "sent"
    failed = "failed"  # gave up after the last try
    skipped = "skipped"  # nowhere to send it (push turned off, no subscribed phone)


class Notification(SQLModel, table=True):
    """One thing a user is told, made from one outbox event; its texts are msgids."""

    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_notification_event_user"),
        # the unread badge on every page: one COUNT on this index
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_user_id_desc", "user_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id")
    user_id: int = Field(foreign_key="user.id")
    kind: str = Field(sa_type=String(40))
    title: str = Field(sa_type=String(200))
    body: str = Field(sa_type=String(400))
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    url: str = Field(default="/", sa_type=String(200))
    # goes through quiet hours (a shift about to start)
    urgent: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Delivery(SQLModel, table=True):
    """The delivery log: one row per notification and channel, never two."""

    __table_args__ = (
        UniqueConstraint("event_id", "user_id", "channel", name="uq_delivery_event_user_channel"),
        Index("ix_delivery_due", "status", "channel", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", index=True)
    event_id: int = Field(foreign_key="event.id")
    user_id: int = Field(foreign_key="user.id")
    channel: str = Field(sa_type=String(16))
    status: str = Field(default=DeliveryStatus.pending, sa_type=String(16))
    attempts: int = 0
    error: str = Field(default="", sa_type=String(300))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PushSubscription(SQLModel, table=True):
    """A browser's Web Push subscription (RFC 8030 endpoint and RFC 8291 keys)."""

    __tablename__ = "push_subscription"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    endpoint: str = Field(sa_column=Column(String(1000), nullable=False, unique=True))
    p256dh: str = Field(sa_type=String(200))
    auth: str = Field(sa_type=String(100))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NotifyPreference(SQLModel, table=True):
    """A user's channels and quiet hours; a user without a row has the defaults."""

    __tablename__ = "notify_preference"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    push: bool = True
    # important messages by SMS when push cannot reach the phone (off, or no subscription)
    sms: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})
    # local hours (market time zone); equal hours mean no quiet time
    quiet_from: int = 22
    quiet_to: int = 6
    # new-job alerts pushed a local day; the rest wait for the evening digest
    daily_alerts: int = Field(default=5, sa_column_kwargs={"server_default": "5"})
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NotifyCursor(SQLModel, table=True):
    """How far the outbox has been turned into notifications (the last event `seq`)."""

    __tablename__ = "notify_cursor"

    name: str = Field(sa_type=String(40), primary_key=True)
    last_seq: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ShiftReminder(SQLModel, table=True):
    """A confirmed shift's reminders (12 h and 2 h before) and the worker's "I'm coming".

    Stored, so a restart neither loses nor repeats one: a reminder is written (as an outbox
    event) in the same transaction that stamps it here.
    """

    __tablename__ = "shift_reminder"

    application_id: int = Field(foreign_key="application.id", primary_key=True)
    reminded_12h_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminded_2h_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    coming_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # "check-in is open" was written (market/notifications/checkin.py)
    checkin_open_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AlertTally(SQLModel, table=True):
    """A worker's new-job alerts on one local day: pushed, held back, and the digest.

    Stored, so the cap and the one digest hold across restarts and replicas: a tally
    changes in the transaction that writes the alert, and `digest_at` in the one that
    writes the digest's outbox event.
    """

    __tablename__ = "alert_tally"
    __table_args__ = (Index("ix_alert_tally_digest", "day", "digest_at"),)

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    day: date = Field(primary_key=True)  # local day (market time zone)
    alerted: int = 0  # pushed (or would have been: push off counts the same)
    held: int = 0  # beyond the user's daily number: left for the digest
    digest_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SmsMessage(SQLModel, table=True):
    """One message as the `log` provider "sent" it: shown to staff, read back by tests.

    A real gateway keeps its own record; this table exists so that development and test
    runs can see what a phone would have received.
    """

    __tablename__ = "sms_message"

    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(sa_type=String(20), index=True)
    template_id: str = Field(sa_type=String(40))
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    body: str = Field(sa_type=String(500))
    provider: str = Field(sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
