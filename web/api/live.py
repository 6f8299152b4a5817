"""Live updates: a single-use ticket for a non-browser client's `/ws?ticket=`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from web.deps import CurrentLogin
from web.live.tickets import Tickets

router = APIRouter(prefix="/live", tags=["live"])


class TicketOut(BaseModel):
    ticket: str
    expires_in: int


@router.post("/ticket")
def ticket(request: Request, login: CurrentLogin) -> TicketOut:
    """A ticket for `/ws?ticket=`: good once, for `expires_in` seconds, as this session."""
    user, session = login
    assert user.id is not None
    tickets: Tickets = request.app.state.live_tickets
    issued = tickets.issue(user_id=user.id, session_hash=session.token_hash)
    return TicketOut(ticket=issued, expires_in=tickets.ttl)
