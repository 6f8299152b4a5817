"""What the 🔊 button says about a job: plain sentences a listener understands.

The browser speaks the text (speech synthesis, no server); it is written here so that it is
translated and tested like any page. Times are said as people say them ("明天早上七点到
下午三点", "tomorrow from 7 am to 3 pm"), never "07:00–15:00". The place is the district
and the address the card shows; never more.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from babel.dates import format_date

from market.i18n import local
from web.i18n import trade_name, translate
from web.pages import places

DIGITS = "零一二三四五六七八九"


class SpokenJob(Protocol):
    title: str
    trade: str
    wage: int
    start_at: datetime
    end_at: datetime
    district: str | None
    address: str
    headcount: int
    confirmed_count: int


def _(message: str) -> str:
    """Marks a msgid for extraction; `translate` fills it in for the locale."""
    return message


def district_name(name: str, locale: str) -> str:
    """A district's name in the locale's language (as stored when it is not on the list)."""
    place = places.BY_NAME.get(name)
    return name if place is None or locale.startswith("zh") else place.en


def chinese_number(n: int) -> str:
    """0–99 in Chinese numerals, as said aloud: 7 → 七, 15 → 十五, 40 → 四十."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return DIGITS[ones]
    head = "" if tens == 1 else DIGITS[tens]
    return f"{head}十{DIGITS[ones] if ones else ''}"


def clock_zh(moment: datetime) -> str:
    """早上七点, 下午三点半, 中午十二点, 晚上十点十五分, 半夜十二点."""
    hour, minute = moment.hour, moment.minute
    if hour == 0 and minute == 0:
        return "半夜十二点"
    period = (
        "凌晨" if hour < 5 else "早上" if hour < 9 else "上午" if hour < 12
        else "中午" if hour < 13 else "下午" if hour < 18 else "晚上"
    )  # fmt: skip
    twelve = hour % 12 or 12
    said = "两" if twelve == 2 else chinese_number(twelve)
    tail = "" if minute == 0 else "半" if minute == 30 else f"{chinese_number(minute)}分"
    return f"{period}{said}点{tail}"


def clock_en(moment: datetime) -> str:
    """7 am, 3:30 pm, noon, midnight."""
    hour, minute = moment.hour, moment.minute
    if minute == 0 and hour in (0, 12):
        return "midnight" if hour == 0 else "noon"
    twelve = hour % 12 or 12
    said = str(twelve) if minute == 0 else f"{twelve}:{minute:02d}"
    return f"{said} {'am' if hour < 12 else 'pm'}"


def day_said(day: date, today: date, locale: str) -> str:
    """今天 / 明天 / 后天 / 12月3日星期四; today / tomorrow / on Thursday 3 December."""
    named = {0: _("today"), 1: _("tomorrow"), 2: _("the day after tomorrow")}
    offset = (day - today).days
    if offset in named:
        return translate(locale, named[offset])
    if locale.startswith("zh"):
        return format_date(day, "M月d日EEEE", locale="zh_CN")
    return "on " + format_date(day, "EEEE d MMMM", locale="en")


def when_said(start: datetime, end: datetime, now: datetime, locale: str) -> str:
    """The shift as said aloud, in the market's time zone."""
    start, end = local(start), local(end)
    day = day_said(start.date(), local(now).date(), locale)
    zh = locale.startswith("zh")
    clock = clock_zh if zh else clock_en
    message = _("{day} from {start} to {end}")
    if end.date() != start.date():
        message = _("{day} from {start} to {end} the next day")
    return translate(locale, message, day=day, start=clock(start), end=clock(end))


def job_speech(*, job: SpokenJob, distance_km: float | None, locale: str, now: datetime) -> str:
    """The sentences the 🔊 button says about `job`, in `locale`."""
    zh = locale.startswith("zh")
    trade = trade_name(job.trade, locale)
    parts = [trade if job.title in ("", trade) else f"{trade}{'：' if zh else ': '}{job.title}"]
    parts.append(translate(locale, _("Pay {wage} yuan a day"), wage=job.wage))
    if distance_km is not None:
        km = f"{distance_km:.1f}".removesuffix(".0")
        parts.append(translate(locale, _("{km} kilometres from you"), km=km))
    parts.append(when_said(job.start_at, job.end_at, now, locale))
    place = ("，" if zh else ", ").join(
        p for p in (job.district and district_name(job.district, locale), job.address) if p
    )
    if place:
        parts.append(translate(locale, _("Place: {place}"), place=place))
    left = job.headcount - job.confirmed_count
    if left > 0:
        parts.append(
            translate(locale, _("{left} places left of {total}"), left=left, total=job.headcount)
        )
    else:
        parts.append(translate(locale, _("No places left")))
    if zh:
        return "。".join(parts) + "。"
    return ". ".join(p[:1].upper() + p[1:] for p in parts) + "."
