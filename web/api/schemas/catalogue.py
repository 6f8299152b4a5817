"""The trade and certificate catalogue as the API shows it, in the user's language."""

from __future__ import annotations

from pydantic import BaseModel

from matching.trades import Certificate, Trade
from web.i18n import certificate_name, trade_name


class TradeInfo(BaseModel):
    code: str
    name: str
    icon: str
    aliases: list[str]
    certificates: list[str]


class CertificateInfo(BaseModel):
    code: str
    name: str


def trade_info(trade: Trade, locale: str) -> TradeInfo:
    return TradeInfo(
        code=trade.code,
        name=trade_name(trade.code, locale),
        icon=trade.icon,
        aliases=list(trade.aliases),
        certificates=sorted(trade.legal_certificates),
    )


def certificate_info(certificate: Certificate, locale: str) -> CertificateInfo:
    return CertificateInfo(code=certificate.code, name=certificate_name(certificate.code, locale))
