"""Text messages (SMS): one small interface, a provider per gateway, chosen by settings.

`LINGGONG_SMS_PROVIDER=log` (the default, for development and tests) writes each message
to the console log and to the `sms_message` table, where union staff can read it and
tests read the codes back. Real gateways (Aliyun, Tencent Cloud) get adapters of their own
beside it; they send pre-registered templates by id with named parameters, which is why
the interface takes a template id and parameters rather than free text.
"""

from __future__ import annotations

import logging
import re
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
    "phone_changed": "【零工】您的账号已改用尾号{tail}的手机号登录。如非本人操作，请联系工会驿站。",
    # notifications a worker must not miss when push cannot reach the phone; one message
    # (70 characters with the sign) each, checked with the longest parameters
    "hired": "【零工】您已被录用：{job}，{when}开工。用工方电话见“我的工作”。",
    "shift_soon": "【零工】{job}将于{when}开工，请准时到岗。",
    "pay_recorded": "【零工】{job}：用工方记录已付您¥{amount}，请登录确认或提出异议。",
    "pay_disputed": "【零工】{name}对{job}记录的¥{amount}工资有异议，请登录处理。",
    "arrears_opened": "【零工】工会已就{job}的欠薪立案，请登录零工或到驿站查看进展。",
    "suspended": "【零工】您的账号已被暂停使用，如有疑问请联系工会驿站。",
}
SMS_LIMIT = 70  # characters in one Chinese SMS (UCS-2); longer ones are split and billed twice
# the longest a parameter gets in a message: a job's title is cut to this many characters
PARAM_LIMITS = {"job": 16, "name": 6}
# the notification kinds worth a text message, and their template
SMS_KINDS: dict[str, str] = {
    "application.confirmed": "hired",
    "shift.reminder": "shift_soon",  # only the urgent one, 2 hours before
    "payment.recorded": "pay_recorded",
    "payment.disputed": "pay_disputed",
    "arrears.opened": "arrears_opened",
    "user.suspended": "suspended",
}


def sms_template(kind: str, *, urgent: bool) -> str | None:
    """The template a notification of `kind` is texted with, or None (not worth an SMS)."""
    if kind == "shift.reminder" and not urgent:
        return None  # the 12-hour reminder waits for the app; the 2-hour one is texted
    return SMS_KINDS.get(kind)


def sms_params(template_id: str, params: dict[str, Any]) -> dict[str, str]:
    """A notification's parameters cut to what one message holds, for `template_id`."""
    wanted = set(re.findall(r"{(\w+)}", TEMPLATES[template_id]))
    out = {}
    for name in sorted(wanted):
        value = str(params.get(name, ""))
        limit = PARAM_LIMITS.get(name)
        out[name] = value[: limit - 1] + "…" if limit and len(value) > limit else value
    return out


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
