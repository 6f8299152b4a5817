"""Every page router and the static files, mounted on the app."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from web.pages import (
    account,
    assets,
    auth,
    employer,
    evidence,
    inbox,
    pwa,
    staff,
    station,
    worker,
)
from web.pages.rendering import STATIC_DIR


class VersionedStatic(StaticFiles):
    """Static files; asked for under their current content hash (`?v=`), cached for a year.

    Modules are served as `assets` rewrote them (their imports hashed too). A stale or
    missing hash gets `no-cache`: the content may differ from what that URL once named.
    """

    async def get_response(self, path: str, scope: Scope) -> Response:
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [""])[0]
        if assets.MODULE.match(path) and path not in assets.NOT_REWRITTEN:
            try:
                found = assets.asset(path)
            except FileNotFoundError:
                return await super().get_response(path, scope)
            response: Response = Response(found.body, media_type="text/javascript")
            response.headers["ETag"] = f'"{found.digest}"'
        else:
            response = await super().get_response(path, scope)
            if response.status_code != 200:
                return response
            found = assets.asset(path)
        fresh = asked == found.digest
        response.headers["Cache-Control"] = assets.IMMUTABLE if fresh else "no-cache"
        return response


def install(app: FastAPI) -> None:
    """Mount the static files and every page router."""
    app.mount("/static", VersionedStatic(directory=STATIC_DIR), name="static")
    pages = APIRouter()
    for module in (auth, account, worker, employer, evidence, inbox, staff, station, pwa):
        pages.include_router(module.router)
    app.include_router(pages)
