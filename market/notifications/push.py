"""Web Push: the VAPID key and one encrypted message (RFC 8291 aes128gcm) to one browser."""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from market.errors import N_, Conflict
from market.settings import Settings

log = logging.getLogger("linggong.notify")
DEV_KEY_FILE = Path("var") / "vapid.key"
TTL_S = 24 * 3600  # a phone that is off for a day still gets it when it wakes
TIMEOUT_S = 10.0


def vapid_keys_new() -> tuple[str, str]:
    """A new VAPID key pair: (private key, public key for browsers), both base64url, one line."""
    key = Vapid02()
    key.generate_keys()
    der = key.private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return base64.urlsafe_b64encode(der).decode().rstrip("="), public_key_of(key)


def public_key_of(key: Vapid02) -> str:
    """The browser's `applicationServerKey`: the uncompressed P-256 point, base64url."""
    raw = key.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def vapid_key(settings: Settings, dev_file: Path = DEV_KEY_FILE) -> Vapid02:
    """The configured VAPID key (base64url DER or PEM); outside production, when none is
    configured, one made once into `dev_file`."""
    secret = settings.vapid_private_key.get_secret_value() if settings.vapid_private_key else ""
    if secret:
        if secret.lstrip().startswith("-----BEGIN"):
            return Vapid02.from_pem(secret.encode())
        return Vapid02.from_string(secret)
    if settings.environment == "production":
        raise RuntimeError("LINGGONG_VAPID_PRIVATE_KEY must be set in production")
    if not dev_file.exists():
        dev_file.parent.mkdir(parents=True, exist_ok=True)
        dev_file.write_text(vapid_keys_new()[0])
        dev_file.chmod(0o600)
    return Vapid02.from_string(dev_file.read_text().strip())


def server_public_key(settings: Settings) -> str:
    """The public half of the server's key, for browsers to subscribe with."""
    try:
        return public_key_of(vapid_key(settings))
    except RuntimeError as error:
        raise Conflict(N_("Phone notifications are not set up on this server")) from error


@dataclass(frozen=True, slots=True)
class Sent:
    """What a push service answered: its HTTP status (0: no answer) and why it failed."""

    status: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        """The subscription no longer exists: forget it."""
        return self.status in (404, 410)


def push_send(
    *, endpoint: str, p256dh: str, auth: str, payload: dict[str, Any], key: Vapid02, subject: str
) -> Sent:
    """Encrypt `payload` for this browser and post it to its push service."""
    try:
        response = webpush(
            {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
            data=json.dumps(payload, ensure_ascii=False),
            vapid_private_key=key,
            vapid_claims={"sub": subject},
            ttl=TTL_S,
            timeout=TIMEOUT_S,
        )
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else 0
        return Sent(status, f"{status} {str(error).splitlines()[0]}"[:300])
    except requests.RequestException as error:
        return Sent(0, f"{type(error).__name__}: {error}"[:300])
    assert isinstance(response, requests.Response)
    return Sent(response.status_code)


def sender_for(settings: Settings) -> Any:
    """The push sender with the configured VAPID key and subject."""
    key = vapid_key(settings)

    def send(*, endpoint: str, p256dh: str, auth: str, payload: dict[str, Any]) -> Sent:
        return push_send(
            endpoint=endpoint,
            p256dh=p256dh,
            auth=auth,
            payload=payload,
            key=key,
            subject=settings.vapid_subject,
        )

    return send
