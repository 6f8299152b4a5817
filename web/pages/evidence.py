"""The evidence sheet: one printable A4 page of a hire's work record, in Chinese, for the
two parties and union staff (what a worker takes to legal aid or the labour inspectorate)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from market.models import Role
from market.types import utcnow
from market.work import record as record_service
from market.workers import identity as identity_service
from web.deps import CurrentUser, CurrentWorker, Id, RecordDep, SessionDep
from web.errors.pages import PageRoute
from web.pages.rendering import render
from web.pages.worker.work import LABELS

router = APIRouter(route_class=PageRoute)
SHEET_LOCALE = "zh_CN"  # for legal aid and the inspectorate, whatever the page language


@router.get("/work/records/{record_id}/evidence")
def evidence(
    request: Request, user: CurrentUser, application: RecordDep, session: SessionDep
) -> Response:
    """The evidence sheet of one shift (one case): parties, terms, attendance, payments."""
    record = record_service.get_record(session=session, application_id=application.id or 0)
    request.state.locale = SHEET_LOCALE
    context = {"records": [record], "printed_at": utcnow(), **LABELS}
    if user.id == application.worker_id or user.role == Role.staff:  # never the employer's
        context["identities"] = identity_service.get_identities(
            session=session, worker_ids=[application.worker_id]
        )
    return render(request, "work/evidence.html", context)


@router.get("/my/pay/employers/{employer_id}/evidence")
def worker_evidence(
    request: Request,
    worker: CurrentWorker,
    employer_id: Id,
    session: SessionDep,
) -> Response:
    """A worker's evidence sheet of every shift for one employer."""
    records = record_service.get_worker_employer_records(
        session=session, worker_id=worker.id or 0, employer_id=employer_id
    )
    request.state.locale = SHEET_LOCALE
    context = {"records": records, "printed_at": utcnow(), **LABELS}
    context["identities"] = identity_service.get_identities(
        session=session, worker_ids=[worker.id or 0]
    )
    return render(request, "work/evidence.html", context)
