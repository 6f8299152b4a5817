"""A service station's pages under `/station`: its staff register and help workers.

Only station-staff accounts get in, and each sees only the workers its station registered.
"""

from __future__ import annotations

from fastapi import APIRouter

from web.pages.station import home, workers

router = APIRouter()
for _module in (home, workers):
    router.include_router(_module.router)
