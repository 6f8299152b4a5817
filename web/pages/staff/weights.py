"""The ranking's weights: which version ranks the feeds, what each fit did on the held-out
days, and making a kept version (or the defaults) live again."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from market.errors import N_, DomainError, NotFound
from market.learning import service as learning_service
from market.learning.schemas import WeightsLive
from web.api.schemas.stats import weights_out
from web.deps import CurrentStaff, SessionDep
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of
from web.pages.deps import PageForm
from web.pages.rendering import render

router = APIRouter(prefix="/staff/weights", route_class=PageRoute)

FLASH = {"live": N_("The feeds now rank by the weights marked live.")}
FEATURE_LABELS = {
    "trade_fit": N_("Trade fit"),
    "time_fit": N_("Fits the day"),
    "distance": N_("Distance"),
    "wage": N_("Pay"),
    "reliability": N_("Reliability"),
    "rating": N_("Ratings"),
}


def _context(session: Session) -> dict[str, Any]:
    weights = weights_out(
        learning_service.get_live_version(session=session),
        learning_service.list_versions(session=session),
    )
    return {"weights": weights, "labels": FEATURE_LABELS}


@router.get("")
def weights_page(
    request: Request,
    session: SessionDep,
    staff: CurrentStaff,
    ok: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The live weights and every kept version, each with a button to make it live."""
    context = _context(session)
    context["notice"] = FLASH.get(ok or "")
    return render(request, "staff/weights.html", context)


@router.post("/live")
def weights_make_live(
    request: Request, form: PageForm, staff: CurrentStaff, session: SessionDep
) -> Response:
    """Make the chosen version live (a rollback); an empty choice goes back to the defaults."""
    chosen = str(form.get("version_id") or "").strip() or None
    try:
        data = WeightsLive.model_validate({"version_id": chosen})
        learning_service.weights_make_live(
            session=session, version_id=data.version_id, staff_id=staff.id or 0
        )
    except (ValidationError, DomainError) as exc:
        errors = form_errors(exc, locale_of(request))
        status = 404 if isinstance(exc, NotFound) else 422
        raise FormInvalid(
            "staff/weights.html", _context(session), errors, status_code=status
        ) from exc
    return RedirectResponse("/staff/weights?ok=live", status_code=303)
