"""The worker's pages: the feed, a job and claiming it, My jobs, the profile."""

from __future__ import annotations

from fastapi import APIRouter

from web.pages.worker import feed, invites, jobs, my_jobs, profile, record, standby, terms, work

router = APIRouter()
for _module in (feed, jobs, profile, my_jobs, terms, work, record, standby, invites):
    router.include_router(_module.router)
