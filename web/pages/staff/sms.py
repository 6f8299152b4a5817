"""Text messages the `log` SMS provider kept (development): what each phone would have received."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from market.notifications import sms as sms_service
from web.deps import CurrentStaff, SessionDep
from web.errors.pages import PageRoute
from web.pages.rendering import render

router = APIRouter(prefix="/staff/sms", route_class=PageRoute)


@router.get("")
def sms_log(request: Request, session: SessionDep, staff: CurrentStaff) -> Response:
    """The newest messages, codes included, so a station can read a worker's code out."""
    messages = sms_service.list_messages(session=session, limit=100)
    return render(request, "staff/sms.html", {"messages": messages})
