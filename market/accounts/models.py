"""Accounts: users, their login sessions and employers' profiles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Column,
    LargeBinary,
    String,
)
from sqlalchemy import (
    false as sa_false,
)
from sqlmodel import Field, SQLModel

from market.types import UTCDateTime, utcnow


class Role(StrEnum):
    worker = "worker"
    employer = "employer"
    staff = "staff"
    station = "station"  # a service station's staff: registers and helps workers there


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(sa_column=Column(String(20), nullable=False, unique=True))
    password_hash: str = Field(sa_type=String(255))
    role: str = Field(sa_type=String(16), index=True)
    name: str = Field(sa_type=String(50))
    locale: str = Field(default="zh_CN", sa_type=String(8))
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # set when the user deleted the account: personal fields are erased, history rows stay
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserSession(SQLModel, table=True):
    __tablename__ = "user_session"

    token_hash: str = Field(sa_type=String(64), primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    csrf_token: str = Field(sa_type=String(64))
    # indexed for the purge of expired sessions (absolute and idle limits)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # the browser or app that logged in, as it said (cut short): "my sessions" names devices
    user_agent: str = Field(
        default="", sa_type=String(200), sa_column_kwargs={"server_default": ""}
    )


class EmployerProfile(SQLModel, table=True):
    __tablename__ = "employer"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    org_name: str = Field(default="", sa_type=String(100))
    # who the employer says they are: a 统一社会信用代码 (checked, market/accounts/credit_code.py)
    # or, for a private person, a statement that they have none; staff verify one or the other
    credit_code: str | None = Field(default=None, sa_type=String(18))
    private_person: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    verified: bool = False
    rating_sum: int = 0
    rating_count: int = 0
    late_cancel_total: int = 0


class EmployerLicence(SQLModel, table=True):
    """The photo of an employer's business licence (营业执照), which staff verify against.

    Kept in the database, like a report's photo: every app replica serves it, the database
    backup holds it, and deleting the employer's account removes it with nothing left on a
    disk somewhere.
    """

    __tablename__ = "employer_licence"

    employer_id: int = Field(foreign_key="employer.user_id", primary_key=True, ondelete="CASCADE")
    content_type: str = Field(sa_type=String(32))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PhoneCode(SQLModel, table=True):
    """A one-time code sent to a phone to prove its holder (sign-up, password reset).

    Neither the phone nor the code is stored: both are HMACs under the secret key, so a
    copy of the database gives no way to try the million codes offline.
    """

    __tablename__ = "phone_code"

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(sa_type=String(10))
    phone_key: str = Field(sa_type=String(64), index=True)
    code_hash: str = Field(sa_type=String(64))
    attempts: int = 0  # wrong codes tried against it
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
