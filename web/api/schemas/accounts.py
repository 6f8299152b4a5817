"""Accounts as the API shows them: who is logged in, a new session's tokens, a live ticket,
my notifications and the channels they reach me by; my sessions, a code sent, the text
messages kept in development."""

from __future__ import annotations

from datetime import datetime

from fastapi import Response
from pydantic import BaseModel

from market.models import EmployerLicence, EmployerProfile, Notification, NotifyPreference, User
from web.i18n import translate


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


class NotificationOut(BaseModel):
    """A notification in the reader's language."""

    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read: bool


class UnreadOut(BaseModel):
    unread: int


class MarkedOut(BaseModel):
    marked: int


class PreferenceOut(BaseModel):
    push: bool
    sms: bool  # important messages by text when push cannot reach the phone
    quiet_from: int
    quiet_to: int
    daily_alerts: int  # new-job alerts pushed a day; the rest wait for the 18:00 digest


class PushKeyOut(BaseModel):
    public_key: str  # the `applicationServerKey` for `pushManager.subscribe`


class SubscriptionOut(BaseModel):
    id: int
    endpoint: str


def notification_out(note: Notification, locale: str) -> NotificationOut:
    return NotificationOut(
        id=note.id or 0,
        kind=note.kind,
        title=translate(locale, note.title, **note.params),
        body=translate(locale, note.body, **note.params),
        url=note.url,
        created_at=note.created_at,
        read=note.read_at is not None,
    )


def preference_out(pref: NotifyPreference) -> PreferenceOut:
    return PreferenceOut(
        push=pref.push,
        sms=pref.sms,
        quiet_from=pref.quiet_from,
        quiet_to=pref.quiet_to,
        daily_alerts=pref.daily_alerts,
    )


class CodeSentOut(BaseModel):
    """The one answer to a code request, whether or not the phone is registered."""

    detail: str
    expires_in: int  # seconds the code stays good


class SessionOut(BaseModel):
    device: str  # "Chrome · Android"; "" when the browser did not say
    created_at: datetime
    last_seen_at: datetime
    current: bool  # the session this request came with


class EndedOut(BaseModel):
    ended: int  # how many other sessions were logged out


class SmsOut(BaseModel):
    """A text message the `log` provider kept (development): what the phone would get."""

    id: int
    phone: str
    template_id: str
    body: str
    created_at: datetime


class EmployerProfileOut(BaseModel):
    """Who I say I am as an employer, and whether union staff verified it."""

    org_name: str
    credit_code: str | None
    private_person: bool
    verified: bool


def employer_profile_out(profile: EmployerProfile) -> EmployerProfileOut:
    return EmployerProfileOut.model_validate(profile, from_attributes=True)


class LicenceOut(BaseModel):
    """The licence photo I sent: staff verify my credit code against it."""

    content_type: str
    size: int
    uploaded_at: datetime


def licence_out(licence: EmployerLicence) -> LicenceOut:
    return LicenceOut(
        content_type=licence.content_type, size=len(licence.data), uploaded_at=licence.uploaded_at
    )


# a licence photo names a business and its legal person: no cache keeps it, no sniffing
LICENCE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}},
        "description": "The photo of the business licence",
    }
}


def licence_response(licence: EmployerLicence) -> Response:
    """The photo as it was sent, its type told by its bytes when it was kept."""
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    return Response(content=licence.data, media_type=licence.content_type, headers=headers)
