"""What the inbox shows and what a browser sends to subscribe or a user to set channels."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import BaseModel, Field, field_validator

from market.settings import get_settings

DAILY_ALERTS_MIN, DAILY_ALERTS_MAX = 0, 20  # 0: every new job waits for the digest

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def b64url(value: str) -> bytes:
    """Decode unpadded base64url (as browsers send push keys), or ValueError."""
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64url") from error


class SubscriptionKeys(BaseModel):
    p256dh: str = Field(min_length=80, max_length=100)
    auth: str = Field(min_length=16, max_length=30)

    @field_validator("p256dh")
    @classmethod
    def _p256_point(cls, value: str) -> str:
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url(value))
        except ValueError as error:
            raise ValueError("p256dh is not a P-256 public key") from error
        return value

    @field_validator("auth")
    @classmethod
    def _auth_secret(cls, value: str) -> str:
        if len(b64url(value)) != 16:
            raise ValueError("auth is not a 16-byte secret")
        return value


class SubscriptionCreate(BaseModel):
    """A browser's PushSubscription as `subscription.toJSON()` gives it."""

    endpoint: str = Field(min_length=10, max_length=1000)
    keys: SubscriptionKeys

    @field_validator("endpoint")
    @classmethod
    def _known_push_service(cls, value: str) -> str:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        allowed = get_settings().push_hosts
        known = any(host == h or host.endswith("." + h) for h in allowed)
        secure = parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK)
        if not (known and secure):
            # the server posts to this address: only a push service's, never any other
            raise ValueError("not the address of a known push service")
        return value


class SubscriptionDelete(BaseModel):
    endpoint: str = Field(min_length=10, max_length=1000)


class PreferenceUpdate(BaseModel):
    """Push and SMS on or off; quiet hours as local hours (from == to: no quiet time); how
    many new-job alerts a day."""

    push: bool | None = None
    sms: bool | None = None
    quiet_from: int | None = Field(default=None, ge=0, le=23)
    quiet_to: int | None = Field(default=None, ge=0, le=23)
    # new-job alerts pushed a day before the rest wait for the evening digest
    daily_alerts: int | None = Field(default=None, ge=DAILY_ALERTS_MIN, le=DAILY_ALERTS_MAX)
