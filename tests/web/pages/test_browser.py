"""The pages in a real browser (Debian's chromium), at a 360x740 phone viewport.

Screenshots of the main pages land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    auth,
    make_employer,
    make_job,
    make_worker,
    sent_code,
    tomorrow_at,
)
from tests.web.pages.browser import (
    ARTIFACTS,
    LiveFrames,
    LiveServer,
    job_id_in,
    new_phone,
    shoot,
)
from web.pages.places import BY_NAME

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]
ZHIFU = BY_NAME["芝罘区"]


def _seed_painter_job(server: LiveServer, **options: Any) -> int:
    with server.session() as session:
        employer = make_employer(session, name="李老板")
        job = make_job(
            session,
            employer=employer,
            title=options.pop("title", "新房刷墙"),
            lat=ZHIFU.lat + 0.01,
            lon=ZHIFU.lon + 0.01,
            instant=options.pop("instant", True),
            **options,
        )
        assert job.id is not None
        return job.id


def _code(server: LiveServer, phone: str) -> str:
    """The code the `log` SMS provider sent to `phone`, as its holder reads it."""
    with server.session() as session:
        return sent_code(session, phone)


def _log_in(page: Any, server: LiveServer, phone: str) -> None:
    page.goto(f"{server.url}/login")
    page.fill("#phone", phone)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_worker_signs_up_picks_trades_claims_a_job_and_sees_it_in_my_jobs(
    live_server: LiveServer, phone: Any
) -> None:
    job_id = _seed_painter_job(live_server)
    page = phone.new_page()
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    shoot(page, "01-landing")

    page.get_by_role("link", name="我要找活：注册").click()
    page.fill("#phone", "138 0013 8001")
    page.get_by_role("button", name="发送验证码").click()
    page.fill("#code", _code(live_server, "13800138001"))
    page.fill("#name", "王建国")
    page.fill("#password", "zhuanqian-2026")
    shoot(page, "02-signup")
    page.get_by_role("button", name="注册").click()

    expect(page).to_have_url(f"{live_server.url}/profile?welcome=1")
    page.locator("label.tile", has_text="油漆工").click()
    page.select_option("#district", "芝罘区")
    shoot(page, "03-profile-trade-tiles")
    page.get_by_role("button", name="保存，去找活").click()

    expect(page).to_have_url(f"{live_server.url}/feed?ok=saved")
    card = page.locator(f"#job-{job_id}")
    expect(card).to_contain_text("新房刷墙")
    expect(card).to_contain_text("¥300")
    expect(card).to_contain_text("同工种")
    shoot(page, "04-feed")

    card.get_by_role("link", name="抢单").click()
    dialog = page.locator("#claim-dialog")
    expect(dialog).to_be_visible()
    shoot(page, "05-claim-confirmation")
    dialog.get_by_role("button", name="确定").click()

    expect(page).to_have_url(re.compile(r"/my/jobs\?ok=claimed#application-\d+$"))
    mine = page.locator(".group-confirmed .card", has_text="新房刷墙")
    expect(mine).to_contain_text("已录用")
    expect(mine.locator("a[href^='tel:']")).to_have_count(1)
    shoot(page, "06-my-jobs")

    page.goto(f"{live_server.url}/jobs/{job_id}")
    expect(page.locator("#map.leaflet-container")).to_be_visible()
    expect(page.locator("dl.facts-list")).to_contain_text("离你直线距离")
    expect(page.locator("[data-tiles-failed]")).to_be_visible()  # tiles are down, page is not
    shoot(page, "07-job-detail-map")


def test_employer_posts_a_job_and_sees_the_claim_arrive_without_reloading(
    live_server: LiveServer, phone: Any
) -> None:
    page = phone.new_page()
    page.goto(f"{live_server.url}/signup?role=employer")
    page.fill("#phone", "13900139001")
    page.get_by_role("button", name="发送验证码").click()
    page.fill("#code", _code(live_server, "13900139001"))
    page.fill("#name", "李经理")
    page.fill("#org_name", "烟台安居装饰")
    page.fill("#password", "zhaogong-2026")
    page.get_by_role("button", name="注册").click()

    expect(page).to_have_url(f"{live_server.url}/employer/jobs/new")
    page.locator("label.tile", has_text="油漆工").click()
    page.fill("#address", "芝罘区只楚路 12 号")
    page.locator("#pin-map").click()  # the pin, where the work is
    page.locator("[data-step='1']").click()
    page.fill("#wage", "350")
    shoot(page, "10-post-job")
    page.get_by_role("button", name="发布").click()

    expect(page.locator(".flash")).to_contain_text("招工已发布")
    job_id = job_id_in(page.url)
    expect(page.locator("#applicants-list")).to_have_attribute("data-count", "0")
    page.evaluate("window.__sameDocument = true")

    with live_server.session() as session:
        worker = make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon, name="赵师傅")
        headers = auth(session, worker)
    claim = urllib.request.Request(
        f"{live_server.url}/api/v1/jobs/{job_id}/claim", method="POST", headers=headers
    )
    with urllib.request.urlopen(claim, timeout=10) as answer:
        assert answer.status == 201
        assert json.load(answer)["status"] == "confirmed"

    applicant = page.locator("#applicants-list .applicant", has_text="赵师傅")
    expect(applicant).to_be_visible(timeout=20_000)
    expect(applicant).to_contain_text("已录用")
    expect(applicant.locator("a[href^='tel:']")).to_have_count(1)
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    shoot(page, "11-employer-claim-arrived")


def test_job_form_errors_show_inline_in_chinese_and_the_english_switch_works(
    live_server: LiveServer, phone: Any
) -> None:
    with live_server.session() as session:
        employer_phone = make_employer(session).phone
    page = phone.new_page()
    _log_in(page, live_server, employer_phone)
    page.goto(f"{live_server.url}/employer/jobs/new")
    page.fill("#wage", "10")
    page.get_by_role("button", name="发布").click()

    expect(page.locator("#trade-error")).to_have_text("请选择需要的工种")
    expect(page.locator("#wage-error")).to_have_text("不能小于 50")
    expect(page.locator("#address-error")).to_be_visible()
    expect(page.locator("#wage")).to_have_attribute("aria-invalid", "true")
    shoot(page, "12-post-job-errors-zh")

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Post a job")).to_be_visible()
    page.fill("#wage", "10")
    page.get_by_role("button", name="Post the job").click()
    expect(page.locator("#wage-error")).to_have_text("Must be at least 50")
    expect(page.locator("#trade-error")).to_have_text("Choose the trade you need")
    shoot(page, "13-post-job-errors-en")

    page.get_by_role("link", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_worker_without_javascript_claims_through_the_confirmation_page(
    live_server: LiveServer, chromium: Any
) -> None:
    job_id = _seed_painter_job(live_server, instant=False, title="外墙刷漆")
    with live_server.session() as session:
        worker_phone = make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon).phone
    context = new_phone(chromium, java_script_enabled=False)
    page = context.new_page()
    _log_in(page, live_server, worker_phone)
    page.locator(f"#job-{job_id}").get_by_role("link", name="报名").click()
    expect(page).to_have_url(f"{live_server.url}/jobs/{job_id}/claim")
    page.get_by_role("button", name="确定").click()
    expect(page.locator(".group-applied")).to_contain_text("外墙刷漆")
    expect(page.locator(".group-applied a[href^='tel:']")).to_have_count(0)  # not hired yet
    context.close()


def test_feed_page_weighs_under_150_kb_and_loads_fast_on_a_slow_connection(
    live_server: LiveServer, chromium: Any
) -> None:
    with live_server.session() as session:
        employer = make_employer(session)
        for i in range(20):
            make_job(
                session,
                employer=employer,
                title=f"刷墙 {i + 1} 号楼",
                lat=ZHIFU.lat + 0.002 * i,
                lon=ZHIFU.lon,
                start_at=tomorrow_at(1) + timedelta(hours=i % 6),
            )
        worker_phone = make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon).phone
    context = new_phone(chromium, service_workers="block")
    page = context.new_page()
    _log_in(page, live_server, worker_phone)
    expect(page.locator("#feed-list .job")).to_have_count(20)

    cold = new_phone(chromium, service_workers="block", storage_state=context.storage_state())
    page = cold.new_page()
    cdp = cold.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    # a weak 3G link: 400 ms round trips, 400 kbit/s down
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 400,
            "downloadThroughput": 50_000,
            "uploadThroughput": 25_000,
        },
    )
    wire: dict[str, int] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda event: wire.__setitem__(event["requestId"], int(event["encodedDataLength"])),
    )
    page.goto(f"{live_server.url}/feed", wait_until="load")
    page.wait_for_load_state("networkidle")
    timing = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd,"
        " transfer: performance.getEntries().reduce((s, e) => s + (e.transferSize || 0), 0)}; }"
    )
    total = sum(wire.values())
    report = (
        f"feed page, first load, 20 jobs: {total} bytes on the wire ({len(wire)} requests); "
        f"performance API transferSize {timing['transfer']} bytes; on emulated 3G "
        f"(400 ms RTT, 400 kbit/s) DOMContentLoaded {timing['dcl']:.0f} ms, "
        f"load {timing['load']:.0f} ms\n"
    )
    shoot(page, "08-feed-20-jobs")
    (ARTIFACTS / "feed-page-weight.txt").write_text(report)
    print(report)
    cold.close()
    context.close()
    assert total < 150 * 1024, report
    assert timing["load"] < 8_000, report


def test_app_installs_and_shows_the_offline_page_without_caching_personal_pages(
    live_server: LiveServer, chromium: Any
) -> None:
    job_id = _seed_painter_job(live_server)
    with live_server.session() as session:
        worker_phone = make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon).phone
    context = new_phone(chromium)
    page = context.new_page()
    _log_in(page, live_server, worker_phone)
    manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["display"] == "standalone" and manifest["short_name"] == "零工"
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker
    page.goto(f"{live_server.url}/my/jobs")
    page.goto(f"{live_server.url}/jobs/{job_id}")

    context.set_offline(True)
    page.goto(f"{live_server.url}/feed")
    expect(page.get_by_role("heading", name="现在没有网络")).to_be_visible()
    shoot(page, "09-offline")
    cached = page.evaluate(
        "async () => { const out = []; for (const k of await caches.keys()) {"
        " const c = await caches.open(k); for (const r of await c.keys()) out.push(r.url); }"
        " return out; }"
    )
    context.close()
    paths = {url.removeprefix(live_server.url).split("?")[0] for url in cached}
    assert "/offline" in paths
    assert all(p == "/offline" or p.startswith("/static/") for p in paths), paths


def test_new_fitting_job_slides_into_the_open_feed_without_reloading(
    live_server: LiveServer, phone: Any
) -> None:
    first = _seed_painter_job(live_server, title="第一个活")
    with live_server.session() as session:
        worker_phone = make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon).phone
    page = phone.new_page()
    _log_in(page, live_server, worker_phone)
    expect(page.locator(f"#job-{first}")).to_be_visible()
    expect(page.locator("#live-note")).to_be_visible()  # the page script is running
    page.evaluate("window.__sameDocument = true")

    second = _seed_painter_job(live_server, title="新来的活")
    # the page refreshes on live events, on a timer, and when the phone wakes up
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    card = page.locator(f"#job-{second}")
    expect(card).to_be_visible()
    expect(card).to_have_class(re.compile(r"\bnew\b"))
    expect(page.locator(f"#job-{first}")).not_to_have_class(re.compile(r"\bnew\b"))
    assert page.evaluate("window.__sameDocument") is True


def test_available_now_uses_the_phone_location_or_a_district_when_refused(
    live_server: LiveServer, chromium: Any
) -> None:
    with live_server.session() as session:
        worker_phone = make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon).phone
    here = {"latitude": 37.5631, "longitude": 121.2512}
    allowed = new_phone(chromium, geolocation=here, permissions=["geolocation"])
    page = allowed.new_page()
    _log_in(page, live_server, worker_phone)
    page.get_by_role("button", name="用我的位置").click()
    expect(page.locator(".flash")).to_contain_text("你现在可以上工")
    expect(page.get_by_role("heading", name="你现在可以上工")).to_be_visible()
    page.get_by_role("button", name="关闭").click()
    expect(page.get_by_role("heading", name="现在就能干活？")).to_be_visible()
    allowed.close()

    refused = new_phone(chromium, permissions=[])
    page = refused.new_page()
    _log_in(page, live_server, worker_phone)
    page.get_by_role("button", name="用我的位置").click()
    expect(page.locator("#now-form .geo-status")).to_contain_text("选择区域")
    expect(page.locator("#now-district")).to_be_visible()  # the picker opened by itself
    page.select_option("#now-district", "莱山区")
    page.get_by_role("button", name="从这个区域开工").click()
    expect(page.locator(".flash")).to_contain_text("你现在可以上工")
    refused.close()


def test_a_hire_by_someone_else_counts_down_the_places_on_the_feed_card_in_place(
    live_server: LiveServer, phone: Any
) -> None:
    job_id = _seed_painter_job(live_server, headcount=3)
    with live_server.session() as session:
        reader_phone = make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon).phone
        claimer = auth(session, make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon))
    page = phone.new_page()
    live = LiveFrames(page)
    _log_in(page, live_server, reader_phone)
    page.goto(f"{live_server.url}/feed")
    places = page.locator(f"#job-{job_id} [data-slots]")
    expect(places).to_have_text("剩 3/3 个名额")
    frames = live.hello("/feed")  # the feed's socket is registered
    page.evaluate(f"document.getElementById('job-{job_id}').dataset.before = '1'")

    claim = urllib.request.Request(
        f"{live_server.url}/api/v1/jobs/{job_id}/claim", method="POST", headers=claimer
    )
    with urllib.request.urlopen(claim, timeout=10) as answer:
        assert json.load(answer)["status"] == "confirmed"

    expect(places).to_have_text("剩 2/3 个名额", timeout=10_000)
    assert any('"feed.slots"' in frame for frame in frames)
    # the same card element: changed in place, not a refetched feed
    expect(page.locator(f"#job-{job_id}")).to_have_attribute("data-before", "1")
    shoot(page, "14-feed-slots-counted-down")
