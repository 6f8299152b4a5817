"""Accounts as the API shows them: who is logged in, a new session's tokens, a live ticket."""

from __future__ import annotations

from pydantic import BaseModel

from market.models import User


class UserOut(BaseModel):
    id: int
    name: str
    role: str
    phone: str
    locale: str


class TicketOut(BaseModel):
    ticket: str
    expires_in: int  # seconds


class AuthOut(BaseModel):
    user: UserOut
    token: str
    csrf_token: str


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id or 0, name=user.name, role=user.role, phone=user.phone, locale=user.locale
    )
