"""The trade and certificate catalogue, in the user's language."""

from __future__ import annotations

from fastapi import APIRouter

from matching import trades as catalogue
from web.api.schemas.catalogue import CertificateInfo, TradeInfo, certificate_info, trade_info
from web.deps import LocaleDep

router = APIRouter(tags=["catalogue"])


@router.get("/trades")
def trades(locale: LocaleDep) -> list[TradeInfo]:
    """Every trade, with the certificates the law requires for it."""
    return [trade_info(t, locale) for t in catalogue.TRADES]


@router.get("/certificates")
def certificates(locale: LocaleDep) -> list[CertificateInfo]:
    """Every certificate code."""
    return [certificate_info(c, locale) for c in catalogue.CERTIFICATES]
