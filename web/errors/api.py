"""The API's refusals: JSON bodies with a message a person can act on, in their language."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from market.errors import DomainError
from web.errors.messages import (
    HTTP_MESSAGES,
    UNEXPECTED_MESSAGE,
    database_refusal,
    message_of,
    retry_after_of,
    status_of,
    validation_messages,
)
from web.i18n import locale_of, translate

log = logging.getLogger("linggong.web")


class FieldError(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    """Every refusal of the API: a message a person can act on, in the request's language."""

    detail: str
    errors: list[FieldError]


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


# Declared once on the whole API (replacing FastAPI's own 422 schema, which this app never
# sends): the refusals any route may give, all rendered by the handlers below.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("The request body could not be read (not UTF-8, or a broken form)"),
    401: _error("Not logged in, or the session has ended"),
    403: _error("The caller may not do this"),
    404: _error("Not found, or not the caller's to see"),
    409: _error("Clashes with the current state (job full, already applied, wrong state)"),
    413: _error("The request body is too large"),
    415: _error("The request body is not JSON"),
    422: _error("The input breaks a rule; `errors` names each field"),
    429: _error("Too many attempts or requests; see Retry-After"),
    503: _error("The database is busy or briefly unavailable; nothing was changed"),
}


def _body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


class BodyLimit:
    """Refuse request bodies over `max_bytes` with a 413 that goes through the handlers below.

    Starlette's own limiter answers in plain English text from outside every handler, so
    the app uses this one instead: the refusal is raised while the route reads the body
    (before anything is written) and rendered like every other error, in the user's language.
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int, larger: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger or {})  # exact paths allowed more (photo uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.max_bytes)
        declared = dict(scope.get("headers", ())).get(b"content-length", b"")
        too_large = declared.isdigit() and int(declared) > limit
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if too_large:
                raise HTTPException(413)  # FastAPI re-raises its own type while parsing
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413)  # FastAPI re-raises its own type while parsing
            return message

        await self.app(scope, limited_receive, send)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(_body(translate(locale_of(request), UNEXPECTED_MESSAGE)), status_code=500)


def install(
    app: FastAPI, *, max_body_bytes: int | None = None, larger: Mapping[str, int] | None = None
) -> None:
    """Register the API's handlers (and the body limit)."""
    if max_body_bytes is not None:
        # innermost, below any BaseHTTPMiddleware: its task group would wrap the refusal
        # in an ExceptionGroup, which FastAPI's body parser turns into a bare 400
        app.user_middleware.append(Middleware(BodyLimit, max_bytes=max_body_bytes, larger=larger))

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        status = status_of(exc)
        message = message_of(exc, locale_of(request))
        errors = [{"field": exc.field, "message": message}] if exc.field else []
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        retry_after = retry_after_of(exc)
        if retry_after is not None:
            headers = {"Retry-After": retry_after}
        return JSONResponse(_body(message, errors), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_messages(list(exc.errors()), locale_of(request))
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return JSONResponse(_body(summary, errors), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = HTTP_MESSAGES.get(exc.status_code, str(exc.detail))
        return JSONResponse(
            _body(translate(locale_of(request), detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        refusal = database_refusal(request, exc)
        if refusal is None:
            return await _unexpected(request, exc)
        message, retry = refusal
        return JSONResponse(
            _body(translate(locale_of(request), message)),
            status_code=503,
            headers={"Retry-After": retry},
        )

    app.add_exception_handler(DBAPIError, _database_down)
    app.add_exception_handler(PoolTimeout, _database_down)

    app.add_exception_handler(Exception, _unexpected)
