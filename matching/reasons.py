"""Short reasons a person can read: "同工种 · 2.3 km · 在你的空闲时间内 · 日薪 300"."""

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


def reason_parts(reason: Reason, lang: str, *, to_worker: bool = True) -> tuple[str, ...]:
    """The reason's parts (trade, distance, time, pay) in "zh" or "en".

    Every feasible pair's shift lies inside one of the worker's free windows (a hard
    constraint), so the time part says just that: to the worker "in your free time", to an
    employer or staff "in their free time". How much of the window the shift fills
    (`full_shift`) is a scoring detail a worker has no use for.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; use one of {LANGUAGES}")
    distance = f"{round(reason.distance_km, 1):.1f} km"
    if lang == "zh":
        trade = "同工种" if reason.exact_trade else f"相近工种（{_trade_name(reason.trade, lang)}）"
        time = "在你的空闲时间内" if to_worker else "在其空闲时间内"
        wage = f"日薪 {_money(reason.wage)}"
    else:
        name = _trade_name(reason.trade, lang)
        trade = name if reason.exact_trade else f"related trade ({name})"
        time = "in your free hours" if to_worker else "in their free hours"
        wage = f"{_money(reason.wage)} CNY"
    return (trade, distance, time, wage)


def format_reason(reason: Reason, lang: str, *, to_worker: bool = True) -> str:
    """The reason as one line in "zh" or "en"."""
    return SEPARATOR.join(reason_parts(reason, lang, to_worker=to_worker))
