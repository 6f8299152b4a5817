"""The browser walk on a phone (360x740, zh-CN): an employer invites a ranked candidate from
the job's page; the worker finds the invite from My jobs and accepts it, and is hired."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from market.jobs import service as job_service
from market.types import utcnow
from tests.factories import make_employer, make_job, make_worker
from tests.market.service_helpers import hire
from tests.web.pages.browser import LiveServer, log_in, shoot
from web.pages.places import BY_NAME

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]
ZHIFU = BY_NAME["芝罘区"]


def test_an_employer_invites_a_candidate_and_the_worker_accepts(
    live_server: LiveServer, phone: Any
) -> None:
    with live_server.session() as session:
        employer = make_employer(session)
        job = make_job(
            session,
            employer=employer,
            title="刷外墙",
            headcount=2,
            start_at=utcnow() + timedelta(days=1),
            lat=ZHIFU.lat + 0.01,
            lon=ZHIFU.lon + 0.01,
        )
        worker = make_worker(session, name="孙师傅", lat=ZHIFU.lat, lon=ZHIFU.lon)
        job_id, employer_phone, worker_phone = job.id, employer.phone, worker.phone

    page = phone.new_page()
    log_in(page, live_server, employer_phone)
    page.goto(f"{live_server.url}/employer/jobs/{job_id}#candidates")
    candidate = page.locator(".candidate", has_text="孙师傅")
    expect(candidate).to_be_visible()
    assert worker_phone not in page.content()  # no phone before a hire
    candidate.scroll_into_view_if_needed()
    shoot(page, "60-employer-candidates-invite")
    candidate.get_by_role("button", name="邀请来做这份工作").click()
    expect(page.locator(".flash")).to_contain_text("已邀请")
    page.locator(".candidate", has_text="孙师傅").scroll_into_view_if_needed()
    expect(page.locator(".candidate", has_text="孙师傅")).to_contain_text("已邀请，等待回复")
    shoot(page, "61-employer-candidate-invited")

    page.context.clear_cookies()
    log_in(page, live_server, worker_phone)
    page.goto(f"{live_server.url}/my/jobs")
    page.locator("#invites-link").click()
    expect(page).to_have_url(re.compile(r"/my/invites$"))
    invite = page.locator(".invite", has_text="刷外墙")
    expect(invite).to_contain_text("邀请你来做这份工作")
    shoot(page, "62-worker-invites")
    invite.get_by_role("button", name="接受：接下这份工作").click()
    expect(page).to_have_url(re.compile(r"/my/jobs\?ok=claimed#application-\d+$"))
    expect(page.locator(".group-confirmed")).to_contain_text("刷外墙")
    shoot(page, "63-worker-hired-from-invite")


def test_the_rehire_list_and_the_block_list_on_a_phone(live_server: LiveServer, phone: Any) -> None:
    with live_server.session() as session:
        employer = make_employer(session)
        done = make_job(session, employer=employer, start_at=utcnow() + timedelta(hours=2))
        worker = make_worker(session, name="钱师傅", lat=ZHIFU.lat, lon=ZHIFU.lon)
        hire(session, job=done, worker=worker, now=utcnow())
        job_service.job_complete(session=session, job=done, now=done.end_at + timedelta(hours=1))
        make_job(session, employer=employer, title="刷外墙", start_at=utcnow() + timedelta(days=2))
        employer_phone, worker_id = employer.phone, worker.id

    page = phone.new_page()
    log_in(page, live_server, employer_phone)
    page.goto(f"{live_server.url}/employer/jobs/{done.id}")
    page.get_by_role("button", name="加入常用工友").click()
    expect(page.locator(".flash")).to_contain_text("已加入常用工友")
    row = page.locator(f"#rehire-{worker_id}")
    expect(row).to_contain_text("为你干过 1 次")
    shoot(page, "64-employer-rehire-list")
    row.get_by_role("button", name="邀请来做这份工作").click()
    expect(page.locator(".flash")).to_contain_text("已邀请")
    page.goto(f"{live_server.url}/employer/jobs/{done.id}")
    page.get_by_text("拉黑这个工友").click()
    page.locator("details.block").get_by_role("button", name="拉黑").click()
    expect(page.locator(f"#blocked-{worker_id}")).to_contain_text("钱师傅")
    shoot(page, "65-employer-blocked-list")
