"""Every page router and the static files, mounted on the app."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from web.pages import account, auth, employer, evidence, pwa, staff, worker
from web.pages.rendering import STATIC_DIR


class VersionedStatic(StaticFiles):
    """Static files; those asked for with a content hash (`?v=`) are cached for a year."""

    def file_response(self, full_path, stat_result, scope: Scope, status_code: int = 200):  # type: ignore[no-untyped-def]
        response: Response = super().file_response(full_path, stat_result, scope, status_code)
        if b"v=" in scope.get("query_string", b""):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response


def install(app: FastAPI) -> None:
    """Mount the static files and every page router."""
    app.mount("/static", VersionedStatic(directory=STATIC_DIR), name="static")
    pages = APIRouter()
    for module in (auth, account, worker, employer, evidence, staff, pwa):
        pages.include_router(module.router)
    app.include_router(pages)
