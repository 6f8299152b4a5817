"""Text messages the market sent, as the `log` SMS provider keeps them (development)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from market.types import UTCDateTime, utcnow


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
