"""The union staff's desktop console under `/staff`: staff accounts only."""

from __future__ import annotations

from fastapi import APIRouter

from web.pages.staff import (
    appeals,
    arrears,
    dashboard,
    dispatch,
    memberships,
    moderation,
    reports,
    sms,
    stations,
    wage_floors,
    weights,
)

router = APIRouter()
for _module in (
    dashboard,
    dispatch,
    reports,
    arrears,
    moderation,
    appeals,
    stations,
    memberships,
    wage_floors,
    weights,
    sms,
):
    router.include_router(_module.router)
