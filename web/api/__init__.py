"""The JSON API under /api/v1, one module per domain (models in `web/api/schemas/`).

A module's routes for workers and employers and its routes of the union staff console
(`console_router`) sit side by side; `router` carries both.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from web.deps import require_staff


def console_router() -> APIRouter:
    """A router of the staff console: under /staff, and staff only (401/403 before all else)."""
    return APIRouter(prefix="/staff", tags=["staff"], dependencies=[Depends(require_staff)])
