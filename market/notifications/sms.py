"""Text messages (SMS): one small interface, a provider per gateway, chosen by settings.

`LINGGONG_SMS_PROVIDER=log` (the default, for development and tests) writes each message
to the console log and to the `sms_message` table, where union staff can read it and
tests read the codes back. Real gateways (Aliyun, Tencent Cloud) get adapters of their own
beside it; they send pre-registered templates by id with named parameters, which is why
the interface takes a template id and parameters rather than free text.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from sqlmodel import Session, col, select

from market.notifications.aliyun import AliyunSms
from market.notifications.models import SmsMessage
from market.settings import get_settings

log = logging.getLogger("linggong.sms")

# The texts a phone receives. Gateways hold these registered in Chinese under the same
# ids; the `log` provider renders them here so a developer sees what would arrive.
TEMPLATES: dict[str, str] = {
    "verify_code": "【零工】您的验证码是 {code}，{minutes} 分钟内有效。请勿告诉任何人。",
    "password_changed": (
        "【零工】您的密码已修改，其他设备已退出登录。如非本人操作，请联系工会驿站。"
    ),
}


class SmsProvider(Protocol):
    name: str

    def send(self, phone: str, template_id: str, params: dict[str, Any]) -> str:
        """Send template `template_id` with `params` to `phone`; returns the message id."""
        ...


def render(template_id: str, params: dict[str, Any]) -> str:
    """The text of a template with its parameters (an unknown template is a programming error)."""
    return TEMPLATES[template_id].format(**params)


class LogSms:
    """Development provider: the message goes to the console log and the `sms_message` table.

    It writes in the caller's transaction, so a refused request leaves no message behind.
    """

    name = "log"

    def __init__(self, session: Session) -> None:
        self._session = session

    def send(self, phone: str, template_id: str, params: dict[str, Any]) -> str:
        body = render(template_id, params)
        row = SmsMessage(
            phone=phone, template_id=template_id, params=params, body=body, provider=self.name
        )
        self._session.add(row)
        self._session.flush()
        # development: the console shows the code; the number only partly (logs travel)
        log.warning("sms to %s: %s", phone[:3] + "****" + phone[7:], body)
        return f"log-{row.id}"


def sms_provider(*, session: Session) -> SmsProvider:
    """The configured provider (`LINGGONG_SMS_PROVIDER`), bound to this transaction."""
    settings = get_settings()
    name = settings.sms_provider
    if name == "log":
        return LogSms(session)
    if name == "aliyun":
        secret = settings.sms_access_key_secret
        return AliyunSms(
            access_key_id=settings.sms_access_key_id,
            access_key_secret=secret.get_secret_value() if secret else "",
            sign_name=settings.sms_sign_name,
            templates=settings.sms_templates,
            endpoint=settings.sms_endpoint,
        )
    raise ValueError(f"unknown SMS provider: {name}")  # pragma: no cover (settings validate)


def list_messages(
    *, session: Session, phone: str | None = None, limit: int = 50
) -> list[SmsMessage]:
    """The newest messages the `log` provider kept, optionally to one phone (staff, tests)."""
    query = select(SmsMessage).order_by(col(SmsMessage.id).desc()).limit(limit)
    if phone is not None:
        query = query.where(SmsMessage.phone == phone)
    return list(session.exec(query))
