"""The `Idempotency-Key` header on claim/apply and job posting, as a dependency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from market.idempotency import service as idempotency_service
from web.deps import CurrentUser, SessionDep

KeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=100,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="A unique value per intended write (a UUID): a retry with the same key "
        "gets the first answer again instead of writing twice. Kept 24 hours.",
    ),
]


class Idempotent:
    """Runs a write once per key: `answer(payload, status, run)` replays or runs and stores."""

    def __init__(
        self, request: Request, session: SessionDep, user: CurrentUser, key: KeyHeader = None
    ) -> None:
        self.request, self.session, self.user, self.key = request, session, user, key
        route = request.scope.get("route")
        self.route = f"{request.method} {getattr(route, 'path', request.url.path)}"[:80]

    def answer(
        self, payload: Any, run: Callable[[], tuple[int, BaseModel]]
    ) -> JSONResponse | BaseModel:
        """`run()` gives (status, model); with a key, its answer is stored or replayed."""
        if self.key is None:
            status, model = run()
            return _with_status(model, status)
        common = {"session": self.session, "user_id": self.user.id or 0, "route": self.route}
        fingerprint = idempotency_service.request_fingerprint(
            path=self.request.url.path, payload=payload
        )
        replay = idempotency_service.idempotency_begin(
            **common, key=self.key, fingerprint=fingerprint
        )
        if replay is not None:
            return JSONResponse(
                replay.body, status_code=replay.status_code, headers={"Idempotent-Replayed": "true"}
            )
        status, model = run()
        body = model.model_dump(mode="json", by_alias=True)
        idempotency_service.idempotency_finish(
            **common, key=self.key, status_code=status, body=body
        )
        return JSONResponse(body, status_code=status)


def _with_status(model: BaseModel, status: int) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json", by_alias=True), status_code=status)


IdempotentDep = Annotated[Idempotent, Depends(Idempotent)]
