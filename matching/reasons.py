"""Short reasons a person can read: "同工种 · 2.3 km · 时间完全吻合 · 日薪 300"."""

from __future__ import annotations

from matching.model import Reason
from matching.trades import TRADE_BY_CODE

SEPARATOR = " · "
LANGUAGES = ("zh", "en")


def _money(amount: float) -> str:
    return f"{amount:.0f}" if float(amount).is_integer() else f"{amount:.1f}"


def _trade_name(code: str, lang: str) -> str:
    trade = TRADE_BY_CODE.get(code)
    if trade is None:
        return code
    return trade.zh if lang == "zh" else trade.en.lower()


def format_reason(reason: Reason, lang: str) -> str:
    """The reason as one line in "zh" or "en"."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; use one of {LANGUAGES}")
    distance = f"{round(reason.distance_km, 1):.1f} km"
    if lang == "zh":
        trade = "同工种" if reason.exact_trade else f"相近工种（{_trade_name(reason.trade, lang)}）"
        time = "时间完全吻合" if reason.full_shift else "时间部分吻合"
        wage = f"日薪 {_money(reason.wage)}"
    else:
        name = _trade_name(reason.trade, lang)
        trade = name if reason.exact_trade else f"related trade ({name})"
        time = "full shift" if reason.full_shift else "part of the day"
        wage = f"{_money(reason.wage)} CNY"
    return SEPARATOR.join((trade, distance, time, wage))
