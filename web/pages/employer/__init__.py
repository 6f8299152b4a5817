"""The employer's pages under /employer: post a job, my jobs, applicants and decisions."""

from __future__ import annotations

from fastapi import APIRouter

from web.pages.employer import applications, invites, jobs, work

router = APIRouter()
for _module in (jobs, applications, work, invites):
    router.include_router(_module.router)
