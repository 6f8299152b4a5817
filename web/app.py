"""The FastAPI application. The engine is built in the lifespan, never at import time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine, text
from starlette.middleware.gzip import GZipMiddleware

from market.accounts.codes import CODE_TTL, MAX_TRIES
from market.accounts.throttle import CodeTries, LoginGuard, counter_for
from market.db import make_engine, read_only
from market.learning.impressions import ImpressionLog
from market.settings import Settings, get_settings
from web import errors, stats_refresh
from web.api import (
    accounts,
    applications,
    catalogue,
    dispatch,
    jobs,
    membership,
    moderation,
    reports,
    stations,
    stats,
    wages,
    work,
    workers,
)
from web.errors.api import ERROR_RESPONSES
from web.i18n import LocaleMiddleware
from web.live import LiveService
from web.live import router as live_router
from web.live.config import LiveSettings
from web.live.tickets import Tickets, store_for
from web.live.wire import KeepRawSend
from web.observability import Metrics, RequestLog, metrics_response
from web.pages import site
from web.routing import fast_matching
from web.security.headers import SecurityHeaders
from web.security.rate_limits import RateLimiter
from web.tracing import Tracing, tracing_for

# the API's domains, in the order their routes are matched
API_MODULES = (
    accounts,
    workers,
    jobs,
    applications,
    catalogue,
    reports,
    dispatch,
    membership,
    stations,
    moderation,
    stats,
    wages,
    work,
)


def readiness(engine: Engine, redis_url: str | None) -> dict[str, bool]:
    """Whether each backing service answers right now (short timeouts, never raises)."""
    checks: dict[str, bool] = {}
    try:
        with read_only(engine).connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception:
        checks["database"] = False
    if redis_url:
        import redis

        try:
            client = redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
            checks["redis"] = bool(client.ping())
            client.close()
        except Exception:
            checks["redis"] = False
    return checks


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the app; `engine` lets tests share theirs, otherwise the lifespan makes one."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = engine is None
        app.state.engine = engine or make_engine(settings.database_url)
        app.state.settings = settings
        if isinstance(tracing, Tracing):
            tracing.instrument_backends(app.state.engine)
        app.state.live = LiveService(
            engine=app.state.engine, settings=settings, tracing=tracing, metrics=metrics
        )
        await app.state.live.start()
        metrics.watch_websockets(app.state.live.hub.connections)
        metrics.sampled.hub, metrics.sampled.engine = app.state.live.hub, app.state.engine
        stop_counting = metrics.watch_commits()
        refresher = None
        if settings.stats_refresh_seconds > 0:
            refresher = asyncio.create_task(
                stats_refresh.refresh_periodically(
                    app.state.engine,
                    every_seconds=settings.stats_refresh_seconds,
                    arrears_days=settings.arrears_days,
                    metrics=metrics,
                    tracing=tracing,
                    impressions=app.state.impressions,
                )
            )
        notifier = None
        if settings.notify_seconds > 0:
            notifier = asyncio.create_task(
                stats_refresh.notify_periodically(
                    app.state.engine,
                    settings=settings,
                    every_seconds=settings.notify_seconds,
                    metrics=metrics,
                    model=app.state.live.feed,
                )
            )
        try:
            yield
        finally:
            for task in (refresher, notifier):
                if task is not None:
                    task.cancel()
            stop_counting()
            await app.state.live.stop()
            if isinstance(tracing, Tracing):
                tracing.shutdown()
            if own:
                app.state.engine.dispose()

    app = FastAPI(
        title="Linggong 零工",
        version="0.1.0",
        description="Union-run job matching for gig workers.",
        lifespan=lifespan,
    )

    metrics = app.state.metrics = Metrics()
    tracing = app.state.tracing = tracing_for(settings)  # OFF unless an endpoint is set
    if isinstance(tracing, Tracing):
        tracing.instrument_app(app)
    # one per app: counts shared through Redis when configured (no connection made here)
    app.state.login_guard = LoginGuard(
        counter_for(settings.redis_url), secret=settings.secret_key.get_secret_value()
    )
    # tries at one-time codes, counted before each comparison (shared through Redis too)
    app.state.code_tries = CodeTries(
        counter_for(settings.redis_url),
        secret=settings.secret_key.get_secret_value(),
        limit=MAX_TRIES,
        window=int(CODE_TTL.total_seconds()),
    )
    # `/ws?ticket=`: single-use, shared through Redis when configured
    app.state.live_tickets = Tickets(
        store_for(settings.redis_url),
        secret=settings.secret_key.get_secret_value(),
        ttl=LiveSettings().ticket_ttl_s,
    )
    app.state.impressions = ImpressionLog()  # what feeds showed, for the learning loop
    app.state.rate_limiter = RateLimiter(
        secret=settings.secret_key.get_secret_value(),
        redis_url=settings.redis_url,
        enabled=settings.rate_limits == "on",
        overrides=settings.rate_limit_overrides,
    )

    app.add_middleware(LocaleMiddleware)  # request.state.locale, for every route below
    errors.install(
        app,
        max_body_bytes=settings.max_request_bytes,
        larger={
            "/api/v1/reports": reports.UPLOAD_LIMIT,
            "/api/v1/employer/licence": accounts.LICENCE_UPLOAD_LIMIT,
            "/account/employer/licence": accounts.LICENCE_UPLOAD_LIMIT,
        },
    )
    api = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
    for module in API_MODULES:
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(live_router)
    site.install(app)
    # weak mobile networks: pages, CSS and JS travel compressed (websockets pass through)
    app.add_middleware(GZipMiddleware, minimum_size=800)
    app.add_middleware(SecurityHeaders, tile_url=settings.tile_url)  # CSP, nosniff, HSTS
    app.add_middleware(RequestLog, metrics=metrics)  # sees every HTTP answer
    app.add_middleware(KeepRawSend)  # outermost: the server's own websocket send, unwrapped

    @app.get("/metrics", include_in_schema=False)
    def prometheus(request: Request) -> Response:
        """Prometheus metrics: loopback, or the configured bearer token."""
        token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
        return metrics_response(request, token)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    def readyz(request: Request) -> JSONResponse:
        """The database (and Redis, when configured) answer: send traffic here."""
        checks = readiness(request.app.state.engine, settings.redis_url)
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
        )

    fast_matching(app)  # after every include: see web/routing.py
    return app
