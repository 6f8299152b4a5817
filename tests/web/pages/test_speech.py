"""What the 🔊 button says: a job in words a listener understands, in zh-CN and English."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import make_job, make_worker
from tests.web.pages.forms import log_in
from tests.web.pages.test_pages import ZHIFU
from web.pages.speech import clock_en, clock_zh, job_speech

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)  # a Tuesday morning


@dataclass
class Spoken:
    title: str = "新房刷墙"
    trade: str = "painter"
    wage: int = 240
    start_at: datetime = datetime(2026, 12, 2, 7, 0, tzinfo=SHANGHAI)
    end_at: datetime = datetime(2026, 12, 2, 15, 0, tzinfo=SHANGHAI)
    district: str | None = "芝罘区"
    address: str = "只楚路 12 号"
    headcount: int = 3
    confirmed_count: int = 1


def test_chinese_text_says_trade_pay_distance_time_place_and_places_left() -> None:
    said = job_speech(job=Spoken(), distance_km=4.4, locale="zh_CN", now=NOW)
    assert said == (
        "油漆工：新房刷墙。日薪 240 元。离你 4.4 公里。明天早上七点到下午三点。"
        "地点：芝罘区，只楚路 12 号。还剩 2 个名额，共 3 个。"
    )


def test_english_text_says_the_same_in_english() -> None:
    said = job_speech(job=Spoken(), distance_km=4.0, locale="en", now=NOW)
    assert said == (
        "Painter: 新房刷墙. Pay 240 yuan a day. 4 kilometres from you. "
        "Tomorrow from 7 am to 3 pm. Place: Zhifu, 只楚路 12 号. 2 places left of 3."
    )


def test_a_night_shift_on_a_later_day_ends_the_next_day_and_a_full_job_says_so() -> None:
    job = Spoken(
        start_at=datetime(2026, 12, 4, 22, 30, tzinfo=SHANGHAI),
        end_at=datetime(2026, 12, 5, 6, 0, tzinfo=SHANGHAI),
        confirmed_count=3,
        district=None,
    )
    said = job_speech(job=job, distance_km=None, locale="zh_CN", now=NOW)
    assert "12月4日星期五晚上十点半到第二天早上六点" in said
    assert "公里" not in said and "芝罘区" not in said and said.endswith("名额已满。")
    english = job_speech(job=job, distance_km=None, locale="en", now=NOW)
    assert "On Friday 4 December from 10:30 pm to 6 am the next day" in english


def test_clock_words_cover_noon_midnight_two_oclock_and_minutes() -> None:
    at = lambda h, m=0: datetime(2026, 12, 2, h, m, tzinfo=SHANGHAI)  # noqa: E731
    assert [clock_zh(at(h, m)) for h, m in ((0, 0), (2, 0), (12, 0), (14, 15), (19, 45))] == [
        "半夜十二点", "凌晨两点", "中午十二点", "下午两点十五分", "晚上七点四十五分",
    ]  # fmt: skip
    assert [clock_en(at(h)) for h in (0, 12, 13)] == ["midnight", "noon", "1 pm"]


def _spoken(page: str) -> list[str]:
    return [unescape(s) for s in re.findall(r'data-speak="([^"]*)"', page)]


def test_feed_card_and_job_page_carry_the_text_but_never_the_exact_location(
    client: TestClient, session: Session
) -> None:
    job = make_job(session, title="新房刷墙", wage=240, lat=ZHIFU.lat + 0.01, lon=ZHIFU.lon)
    log_in(client, make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon, radius_km=20))
    card = _spoken(client.get("/feed").text)
    assert len(card) == 1 and "日薪 240 元" in card[0]
    assert "地点：芝罘区，烟台市芝罘区南大街" in card[0]
    assert "离你 1.1 公里" in card[0] and "还剩 3 个名额，共 3 个" in card[0]
    page = client.get(f"/jobs/{job.id}").text
    assert 'data-speak-lang="zh-CN"' in page and "读给我听" in page
    (spoken,) = _spoken(page)
    assert "油漆工：新房刷墙。日薪 240 元" in spoken
    assert str(job.lat)[:6] not in spoken and str(job.lon)[:6] not in spoken
    client.get("/lang/en", follow_redirects=False)
    english = _spoken(client.get(f"/jobs/{job.id}").text)
    assert "Pay 240 yuan a day" in english[0]


def test_large_text_toggle_works_without_javascript(client: TestClient, session: Session) -> None:
    token = log_in(client, make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon))
    assert 'class="text-large"' not in client.get("/profile").text
    answer = client.post(
        "/settings/text-size",
        data={"csrf_token": token, "size": "large", "next": "/profile"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/profile"
    page = client.get("/feed").text
    assert '<html lang="zh-CN" class="text-large">' in page
    client.post(
        "/settings/text-size", data={"csrf_token": token, "size": "normal", "next": "/feed"}
    )
    assert 'class="text-large"' not in client.get("/feed").text


def test_large_text_toggle_refuses_a_wrong_size_or_a_missing_token(
    client: TestClient, session: Session
) -> None:
    token = log_in(client, make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon))
    bad = client.post("/settings/text-size", data={"csrf_token": token, "size": "huge"})
    assert 400 <= bad.status_code < 500 and "请选择标准字或大字" in bad.text
    forged = client.post("/settings/text-size", data={"size": "large"}, follow_redirects=False)
    assert forged.status_code == 403
    assert 'class="text-large"' not in client.get("/feed").text
