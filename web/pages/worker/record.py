"""My record: my strikes, why each counts, when it expires, and an appeal against one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from market.errors import N_, Invalid
from market.reliability import service as reliability_service
from web.deps import CurrentWorker, MyStrikeDep, SessionDep
from web.errors.pages import PageRoute
from web.pages.deps import PageForm
from web.pages.rendering import render

router = APIRouter(route_class=PageRoute)
FLASH = {"appealed": N_("Your appeal is sent. Union staff will decide and tell you why.")}
APPEAL_MAX = 300


@router.get("/my/record")
def my_record(
    request: Request,
    worker: CurrentWorker,
    session: SessionDep,
    ok: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """My strikes (late call-offs, no-shows) and the rules they follow."""
    record = reliability_service.get_worker_record(session=session, worker_id=worker.id or 0)
    context = {
        "record": record,
        "kinds": reliability_service.KIND_LABELS,
        "late_hours": int(reliability_service.LATE_CALL_OFF.total_seconds() // 3600),
        "flash": FLASH.get(ok or ""),
        "appeal_max": APPEAL_MAX,
    }
    return render(request, "worker/record.html", context)


@router.post("/my/strikes/{strike_id}/appeal")
def appeal(
    strike: MyStrikeDep, form: PageForm, worker: CurrentWorker, session: SessionDep
) -> Response:
    """Appeal a strike with a short text; staff decide."""
    strike_id = strike.id or 0
    text = str(form.get("text") or "").strip()
    if not text:
        raise Invalid(N_("Say in a few words what happened"), field="text")
    if len(text) > APPEAL_MAX:
        raise Invalid(N_("At most {n} characters"), field="text", n=APPEAL_MAX)
    reliability_service.appeal_file(session=session, strike_id=strike_id, worker=worker, text=text)
    return RedirectResponse(f"/my/record?ok=appealed#strike-{strike_id}", status_code=303)
