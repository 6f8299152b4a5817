"""`/ws`: one websocket per open page, authenticated like the pages, fed by the hub.

A page comes with its session cookie; another client with `Authorization: Bearer`, or with
`?ticket=` from `POST /api/v1/live/ticket` (single-use, 30 s). A session token in the URL
(`?token=`) is not accepted: proxies log URLs.

Protocol (server → client, JSON text frames):
  {"type": "hello", "data": {"last_id": <seq>}}     first, after the handshake
  {"id": <seq>, "type": "<event kind>", "data": {...}}
  {"id": <seq>, "type": "feed.job" | "feed.remove", "data": {...}}   workers only
  {"id": <seq>, "type": "feed.slots", "data": {"job": <id>, "slots_left": <n>}}  workers
  {"type": "resync"}                                 too far behind: refetch over HTTP
  {"type": "pong"}                                   answer to {"type": "ping"}
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from market.accounts import service as account_service
from market.db import read_only
from market.errors import N_
from market.models import Role, User
from web.i18n import matching_lang, negotiate, translate
from web.live import wire
from web.live.caps import CLOSE_TOO_MANY
from web.live.hub import CLOSE_TOO_SLOW, Connection, Hub, encode
from web.live.tickets import Tickets
from web.security.cookies import read_cookie

router = APIRouter()

PONG = encode(None, "pong")
RESYNC = encode(None, "resync")
DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_key(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    parts = urlsplit(f"{scheme}://{netloc}")
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    if not parts.hostname or port is None:
        return None
    return scheme, parts.hostname.lower(), port


def same_origin(origin: str, websocket: WebSocket) -> bool:
    """The page's origin equals this server's own (scheme, host and port of Host)."""
    own_scheme = "https" if websocket.url.scheme in ("wss", "https") else "http"
    theirs = urlsplit(origin.strip())
    host = websocket.headers.get("host", "")
    if theirs.scheme not in DEFAULT_PORTS or not host:
        return False
    mine = _origin_key(own_scheme, host)
    return mine is not None and _origin_key(theirs.scheme, theirs.netloc) == mine


def _credentials(websocket: WebSocket) -> tuple[str | None, bool]:
    """The session token and whether it came from the cookie."""
    scheme, _, value = websocket.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), False
    cookie = read_cookie(websocket)
    return cookie, cookie is not None


def _user_for(websocket: WebSocket, token: str | None, ticket: str | None) -> User | None:
    """The user behind the ticket (consumed here) or else the session token.

    A ticket names its user's session, which must still be live; sent together with another
    user's credentials it lets nobody in.
    """
    tickets: Tickets = websocket.app.state.live_tickets
    holder = tickets.redeem(ticket) if ticket else None
    if ticket and holder is None:
        return None
    with Session(read_only(websocket.app.state.engine), expire_on_commit=False) as session:
        by_token = (
            account_service.get_session_user(session=session, token=token, touch=False)
            if token
            else None
        )
        if holder is None:
            return None if by_token is None else by_token[0]
        found = account_service.get_session_user_by_hash(
            session=session, token_hash=holder.session_hash, touch=False
        )
    if found is None or found[0].id != holder.user_id:
        return None
    if token is not None and (by_token is None or by_token[0].id != holder.user_id):
        return None
    return found[0]


async def _refuse(websocket: WebSocket, status: int, message: str, locale: str) -> None:
    body = {"detail": translate(locale, message)}
    await websocket.send_denial_response(JSONResponse(body, status_code=status))


def _last_id(websocket: WebSocket) -> int | None:
    raw = websocket.query_params.get("last_id")
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        return -1  # nonsense: the client is told to resync
    return value if value >= 0 else -1


@router.websocket("/ws")
async def live_socket(websocket: WebSocket) -> None:
    """Live market updates for the logged-in user."""
    locale = negotiate(
        websocket.headers.get("accept-language"),
        websocket.query_params.get("lang") or websocket.cookies.get("lang"),
    )
    token, from_cookie = _credentials(websocket)
    origin = websocket.headers.get("origin")
    if (origin is None and from_cookie) or (
        origin is not None and not same_origin(origin, websocket)
    ):
        await _refuse(
            websocket, 403, N_("Live updates are only open to this site's own pages"), locale
        )
        return
    ticket = websocket.query_params.get("ticket")
    user = await run_in_threadpool(_user_for, websocket, token, ticket) if token or ticket else None
    if user is None or user.id is None:
        await _refuse(websocket, 401, N_("Please log in"), locale)
        return
    hub: Hub = websocket.app.state.live.hub
    address = websocket.client.host if websocket.client else "unknown"
    full = hub.caps.claim(user.id, address)
    if full is not None:
        await _too_many(websocket, full, locale)
        return
    try:
        await _serve(websocket, hub, user, matching_lang(locale), _last_id(websocket))
    finally:
        hub.caps.release(user.id, address)


TOO_MANY = {
    "user": N_("Too many live connections for this account; close some pages"),
    "address": N_("Too many live connections from this network; try again later"),
}


async def _too_many(websocket: WebSocket, full: str, locale: str) -> None:
    """Over a cap: open and close at once with 4429, so the client knows it is not a drop."""
    await websocket.accept()
    reason = translate(locale, TOO_MANY[full]).encode()[:123].decode(errors="ignore")
    with contextlib.suppress(Exception):
        await websocket.close(CLOSE_TOO_MANY, reason)


async def _serve(
    websocket: WebSocket, hub: Hub, user: User, lang: str, last_id: int | None
) -> None:
    assert user.id is not None
    conn = Connection(
        user_id=user.id,
        role=user.role,
        lang=lang,
        queue_size=hub.settings.queue_size,
        on_full=hub.full,
    )
    worker = await hub.load_worker(user.id) if user.role == Role.worker else None
    await websocket.accept()
    async with hub.lock:  # no event is dispatched between reading seq and registering
        snapshot = hub.seq
        conn.after = max(snapshot, last_id or 0)
        hub.register(conn, worker)
    try:
        await websocket.send_text(encode(None, "hello", {"last_id": snapshot}))
        if last_id is not None:
            frames = (
                None
                if last_id < 0
                else await hub.missed(
                    user_id=user.id,
                    role=user.role,
                    lang=lang,
                    worker=worker,
                    after=last_id,
                    until=snapshot,
                )
            )
            for frame in [RESYNC] if frames is None else frames:
                await websocket.send_text(frame)
        conn.write = wire.frame_writer(websocket.scope.get(wire.RAW_SEND))
        sender = asyncio.create_task(_send_loop(websocket, conn))
        try:
            await _receive_loop(websocket, conn, sender)
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender
        if conn.dropped.is_set():  # it stopped reading: say why, but never wait long on it
            with contextlib.suppress(Exception):
                await asyncio.wait_for(websocket.close(CLOSE_TOO_SLOW, "too slow"), 5)
    except WebSocketDisconnect:
        pass
    finally:
        hub.unregister(conn)


async def _send_loop(websocket: WebSocket, conn: Connection) -> None:
    """The ordinary path: frames that queued while the fast one was closed to them."""
    get, send = conn.queue.get, websocket.send_text
    while True:
        text = await get()
        conn.busy = True
        try:
            await send(text)
        finally:
            conn.busy = False


async def _receive_loop(websocket: WebSocket, conn: Connection, sender: asyncio.Task[None]) -> None:
    receiver = asyncio.ensure_future(websocket.receive())
    dropped = asyncio.ensure_future(conn.dropped.wait())
    try:
        while True:
            done, _ = await asyncio.wait(
                {receiver, sender, dropped}, return_when=asyncio.FIRST_COMPLETED
            )
            if sender in done or dropped in done or conn.closed:
                return
            message = receiver.result()
            if message["type"] == "websocket.disconnect":
                return
            if _is_ping(message.get("text")):
                conn.push_control(PONG)
            receiver = asyncio.ensure_future(websocket.receive())
    finally:
        receiver.cancel()
        dropped.cancel()


def _is_ping(text: str | None) -> bool:
    if not text or len(text) > 200:
        return False
    try:
        return bool(json.loads(text).get("type") == "ping")
    except (ValueError, AttributeError):
        return False
