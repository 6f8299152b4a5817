"""The FastAPI application. The engine is built in the lifespan, never at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from sqlalchemy import Engine

from market.db import make_engine
from market.settings import Settings, get_settings
from web import errors
from web.api import applications, auth, catalogue, jobs, workers
from web.i18n import negotiate
from web.live import LiveService
from web.live import router as live_router


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the app; `engine` lets tests share theirs, otherwise the lifespan makes one."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = engine is None
        app.state.engine = engine or make_engine(settings.database_url)
        app.state.settings = settings
        app.state.live = LiveService(engine=app.state.engine, settings=settings)
        await app.state.live.start()
        try:
            yield
        finally:
            await app.state.live.stop()
            if own:
                app.state.engine.dispose()

    app = FastAPI(
        title="Linggong 零工",
        version="0.1.0",
        description="Union-run job matching for gig workers.",
        lifespan=lifespan,
        max_body_size=settings.max_request_bytes,
    )

    @app.middleware("http")
    async def _locale(request: Request, call_next):  # type: ignore[no-untyped-def]
        requested = request.query_params.get("lang") or request.cookies.get("lang")
        request.state.locale = negotiate(request.headers.get("accept-language"), requested)
        response = await call_next(request)
        response.headers.setdefault("Content-Language", request.state.locale.replace("_", "-"))
        return response

    errors.install(app)
    api = APIRouter(prefix="/api/v1")
    for module in (auth, workers, jobs, applications, catalogue):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(live_router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
