"""The one place where domain errors and bad input become HTTP answers, in the user's language."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from market.accounts.throttle import TooManyAttempts
from market.errors import N_, Conflict, DomainError, Invalid, NotAllowed, NotFound, Unauthenticated
from web.i18n import is_msgid, negotiate, translate

log = logging.getLogger("linggong.web")

STATUS = {
    NotFound: 404,
    Conflict: 409,
    NotAllowed: 403,
    Invalid: 422,
    Unauthenticated: 401,
    TooManyAttempts: 429,
}

# pydantic error types -> translatable messages (ctx values fill the params)
VALIDATION_MESSAGES = {
    "missing": N_("This field is required"),
    "extra_forbidden": N_("Unknown field"),
    "greater_than": N_("Must be greater than {gt}"),
    "greater_than_equal": N_("Must be at least {ge}"),
    "less_than": N_("Must be less than {lt}"),
    "less_than_equal": N_("Must be at most {le}"),
    "string_too_short": N_("Must be at least {min_length} characters"),
    "string_too_long": N_("Must be at most {max_length} characters"),
    "too_long": N_("At most {max_length} items"),
    "string_type": N_("Must be text"),
    "string_pattern_mismatch": N_("Wrong format"),
    "int_parsing": N_("Must be a whole number"),
    "int_type": N_("Must be a whole number"),
    "int_from_float": N_("Must be a whole number"),
    "float_parsing": N_("Must be a number"),
    "float_type": N_("Must be a number"),
    "finite_number": N_("Must be a number"),
    "bool_parsing": N_("Must be true or false"),
    "bool_type": N_("Must be true or false"),
    "datetime_parsing": N_("Give a date and time like 2026-12-01T08:00:00+08:00"),
    "datetime_from_date_parsing": N_("Give a date and time like 2026-12-01T08:00:00+08:00"),
    "datetime_type": N_("Give a date and time like 2026-12-01T08:00:00+08:00"),
    "timezone_aware": N_("Give the time with its time zone, e.g. +08:00"),
    "list_type": N_("Must be a list"),
    "dict_type": N_("Must be an object"),
    "model_attributes_type": N_("Must be an object"),
    "model_type": N_("Must be an object"),
    "json_invalid": N_("The request body is not valid JSON"),
    "json_type": N_("The request body is not valid JSON"),
}
GENERIC_INVALID = N_("Invalid value")


BUSY_MESSAGE = N_("The service is busy or briefly unavailable; nothing was changed. Try again.")
STORAGE_MESSAGE = N_(
    "The service is temporarily unavailable and nothing was changed. "
    "Please try again in a few minutes."
)
# what a database says when its disk is full or read-only: SQLite's result codes (the
# extended ones start with these), PostgreSQL's SQLSTATEs
SQLITE_STORAGE = {
    "SQLITE_FULL": "disk full",
    "SQLITE_READONLY": "read-only",
    "SQLITE_CANTOPEN": "cannot open the database file",  # e.g. a WAL database, read-only
    "SQLITE_IOERR": "disk I/O error",
}
POSTGRES_STORAGE = {"53100": "disk full", "25006": "read-only"}


def storage_fault(exc: DBAPIError) -> str | None:
    """What is wrong with the database's storage (disk full, read-only), or None."""
    name = getattr(exc.orig, "sqlite_errorname", None)
    if isinstance(name, str):
        return next((v for k, v in SQLITE_STORAGE.items() if name.startswith(k)), None)
    return POSTGRES_STORAGE.get(getattr(exc.orig, "sqlstate", None) or "")


def database_refusal(request: Request, exc: Exception) -> tuple[str, str] | None:
    """(message, Retry-After seconds) of a 503 for a database that cannot serve, or None.

    Logged here once, for the operator; None means a bug, not an outage (a 500).
    """
    where = (request.method, request.url.path)
    if isinstance(exc, PoolTimeout):  # every connection stayed busy for the pool's whole wait
        log.warning("database pool exhausted on %s %s: %s", *where, exc)
        return BUSY_MESSAGE, "5"
    if not isinstance(exc, DBAPIError):
        return None
    fault = storage_fault(exc)
    if fault is not None:  # needs an operator: free disk space, remount read-write
        log.error("database storage fault (%s) on %s %s: %s", fault, *where, exc)
        return STORAGE_MESSAGE, "60"
    if isinstance(exc, OperationalError):  # a lost connection, a lock timeout
        log.warning("database unavailable on %s %s: %s", *where, exc)
        return BUSY_MESSAGE, "5"
    return None


def locale_of(request: Request) -> str:
    return getattr(request.state, "locale", None) or negotiate(
        request.headers.get("accept-language"), request.query_params.get("lang")
    )


def _field_of(loc: tuple[Any, ...], kind: str = "") -> str:
    if kind.startswith("json_"):  # the loc holds a character offset, not a field
        return "body"
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def validation_messages(errors: list[dict[str, Any]], locale: str) -> list[dict[str, str]]:
    """Each pydantic error as {field, message} in the user's language."""
    result = []
    for error in errors:
        ctx = error.get("ctx") or {}
        # our validators raise msgids; a library's own text (FastAPI's "Expected UploadFile,
        # received: <class 'str'>") is no message for a person: it gets the generic one
        if error["type"] == "value_error" and is_msgid(str(ctx.get("error", ""))):
            message = translate(locale, str(ctx["error"]))
        else:
            template = VALIDATION_MESSAGES.get(error["type"], GENERIC_INVALID)
            message = translate(locale, template, **{k: v for k, v in ctx.items() if k != "error"})
        field = _field_of(tuple(error.get("loc", ())), error["type"])
        result.append({"field": field, "message": message})
    return result


class FieldError(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    """Every refusal of the API: a message a person can act on, in the request's language."""

    detail: str
    errors: list[FieldError]


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


def download(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a route that answers with a file (CSV, HTML, a photo) instead of JSON.

    Such a route has `response_class=Response`, so its refusals are still declared as JSON.
    """
    return {200: {"content": {media_type: {}}, "description": description}}


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
    429: _error("Too many attempts; see Retry-After"),
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
    message = N_("Something went wrong on our side; nothing was changed. Please try again.")
    return JSONResponse(_body(translate(locale_of(request), message)), status_code=500)


def install(
    app: FastAPI, *, max_body_bytes: int | None = None, larger: Mapping[str, int] | None = None
) -> None:
    """Register the handlers; nothing else in `web` builds an error response."""
    if max_body_bytes is not None:
        # innermost, below any BaseHTTPMiddleware: its task group would wrap the refusal
        # in an ExceptionGroup, which FastAPI's body parser turns into a bare 400
        app.user_middleware.append(Middleware(BodyLimit, max_bytes=max_body_bytes, larger=larger))

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
        locale = locale_of(request)
        message = translate(locale, exc.message, **exc.params)
        errors = [{"field": exc.field, "message": message}] if exc.field else []
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if isinstance(exc, TooManyAttempts):
            headers = {"Retry-After": str(exc.retry_after)}
        return JSONResponse(_body(message, errors), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_messages(list(exc.errors()), locale_of(request))
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return JSONResponse(_body(summary, errors), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {
            400: N_("The request body could not be read; check how it is encoded"),
            404: N_("Not found"),
            405: N_("This method is not allowed here"),
            413: N_("The request is too large"),
            415: N_("Send the request body as JSON (Content-Type: application/json)"),
        }
        detail = messages.get(exc.status_code, str(exc.detail))
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
