"""The trade and certificate catalogue, in the user's language."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from matching import trades as catalogue
from web.deps import LocaleDep

router = APIRouter(tags=["catalogue"])


class TradeInfo(BaseModel):
    code: str
    name: str
    icon: str
    aliases: list[str]
    certificates: list[str]


class CertificateInfo(BaseModel):
    code: str
    name: str


@router.get("/trades")
def trades(locale: LocaleDep) -> list[TradeInfo]:
    """Every trade, with the certificates the law requires for it."""
    zh = locale.startswith("zh")
    return [
        TradeInfo(
            code=t.code,
            name=t.zh if zh else t.en,
            icon=t.icon,
            aliases=list(t.aliases),
            certificates=sorted(t.legal_certificates),
        )
        for t in catalogue.TRADES
    ]


@router.get("/certificates")
def certificates(locale: LocaleDep) -> list[CertificateInfo]:
    """Every certificate code."""
    zh = locale.startswith("zh")
    return [CertificateInfo(code=c.code, name=c.zh if zh else c.en) for c in catalogue.CERTIFICATES]
