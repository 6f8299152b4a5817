"""The work record of a hire: attendance, payments, the other side's answers, posting holds.

Attendance, payments and answers are append-only: a row is never updated or deleted. A
wrong time is put right by a correction (a new attendance row with the next `revision`)
that the other side confirms or disputes; a wrong payment is disputed by the worker.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from market.errors import N_
from market.types import UTCDateTime, utcnow


class AttendanceKind(StrEnum):
    check_in = "check_in"  # 签到
    check_out = "check_out"  # 签退


class AttendanceMethod(StrEnum):
    code = "code"  # the worker typed the day's code shown on the employer's phone
    qr = "qr"  # the worker scanned the day's QR code on the employer's phone
    employer = "employer"  # the employer recorded it for the worker (no phone with them)
    correction = "correction"  # either side put a recorded time right; the other answers


class PaymentMethod(StrEnum):
    cash = "cash"
    wechat = "wechat"
    alipay = "alipay"
    bank = "bank"


class Verdict(StrEnum):
    confirmed = "confirmed"
    disputed = "disputed"


KIND_LABELS = {AttendanceKind.check_in: N_("Check-in"), AttendanceKind.check_out: N_("Check-out")}
METHOD_LABELS = {
    AttendanceMethod.code: N_("with the day's code"),
    AttendanceMethod.qr: N_("by scanning the QR code"),
    AttendanceMethod.employer: N_("recorded by the employer"),
    AttendanceMethod.correction: N_("correction"),
}
PAYMENT_LABELS = {
    PaymentMethod.cash: N_("Cash"),
    PaymentMethod.wechat: N_("WeChat Pay"),
    PaymentMethod.alipay: N_("Alipay"),
    PaymentMethod.bank: N_("Bank transfer"),
}
# entries one side asserts without the day's code: the other side may confirm or dispute them
ANSWERABLE = frozenset({AttendanceMethod.employer, AttendanceMethod.correction})
MAX_PAYMENT = 20_000  # yuan in one payment: more is a typing mistake, not a day's pay


class Attendance(SQLModel, table=True):
    """One check-in or check-out of a hired worker, as it was recorded."""

    __table_args__ = (
        # one first entry of each kind per hire; corrections take the next revisions
        UniqueConstraint("application_id", "kind", "revision"),
        CheckConstraint("kind IN ('check_in', 'check_out')", name="kind"),
        CheckConstraint("revision >= 0", name="revision"),
        CheckConstraint("accuracy_m IS NULL OR accuracy_m >= 0", name="accuracy"),
        Index("ix_attendance_job", "job_id", "worker_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id")
    job_id: int = Field(foreign_key="job.id")
    worker_id: int = Field(foreign_key="user.id")
    kind: str = Field(sa_type=String(16))
    revision: int = 0  # 0: the first entry; 1, 2, ...: corrections of it
    at: datetime = Field(sa_type=UTCDateTime)  # the moment the entry states
    method: str = Field(sa_type=String(16))
    recorded_by: int = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # the phone's position when the worker allowed it: evidence, never a condition
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    note: str = Field(default="", sa_type=String(200))


class Payment(SQLModel, table=True):
    """Money the employer says was paid to the worker for one hire."""

    __table_args__ = (
        CheckConstraint(f"amount > 0 AND amount <= {MAX_PAYMENT}", name="amount"),
        CheckConstraint("method IN ('cash', 'wechat', 'alipay', 'bank')", name="method"),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    worker_id: int = Field(foreign_key="user.id", index=True)
    employer_id: int = Field(foreign_key="user.id", index=True)
    amount: int  # whole yuan
    method: str = Field(sa_type=String(16))
    paid_at: datetime = Field(sa_type=UTCDateTime)
    recorded_by: int = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    note: str = Field(default="", sa_type=String(200))


class WorkAnswer(SQLModel, table=True):
    """The other side's one answer to a payment or an asserted attendance entry."""

    __tablename__ = "work_answer"
    __table_args__ = (
        CheckConstraint(
            "(attendance_id IS NULL AND payment_id IS NOT NULL)"
            " OR (attendance_id IS NOT NULL AND payment_id IS NULL)",
            name="one_subject",
        ),
        CheckConstraint("verdict IN ('confirmed', 'disputed')", name="verdict"),
        CheckConstraint("received IS NULL OR received >= 0", name="received"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # unique: an entry or a payment is answered once, however many taps race
    attendance_id: int | None = Field(default=None, foreign_key="attendance.id", unique=True)
    payment_id: int | None = Field(default=None, foreign_key="payment.id", unique=True)
    verdict: str = Field(sa_type=String(16))
    received: int | None = None  # a disputed payment: what the worker says they received
    note: str = Field(default="", sa_type=String(200))
    answered_by: int = Field(foreign_key="user.id")
    answered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PostingHold(SQLModel, table=True):
    """Union staff stopped this employer posting while an unpaid-wage case is open."""

    __tablename__ = "posting_hold"

    employer_id: int = Field(foreign_key="user.id", primary_key=True)
    placed_by: int = Field(foreign_key="user.id")
    reason: str = Field(default="", sa_type=String(200))
    placed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
