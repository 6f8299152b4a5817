"""My own data: download all of it, or delete my account."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from market.accounts import privacy as privacy_service
from web.deps import CurrentUser, SessionDep
from web.security.cookies import clear_cookie

router = APIRouter(prefix="/me", tags=["privacy"])


@router.get("/export")
def export(user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """Everything the market keeps about me, as JSON."""
    return privacy_service.export_user_data(session=session, user=user)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
def delete_account(
    request: Request, response: Response, user: CurrentUser, session: SessionDep
) -> None:
    """Delete my account: my personal details are erased; confirmed work must be cancelled first."""
    privacy_service.account_delete(session=session, user=user)
    clear_cookie(request, response)
