"""CSV exports never hand Excel a formula: text starting with =, +, -, @, tab or CR is quoted."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import auth, make_employer, make_job, make_staff, make_worker
from tests.staff_factories import make_application
from web.api.downloads import csv_cell, csv_response

YESTERDAY = datetime.now(UTC) - timedelta(days=1)
FORMULA = '=HYPERLINK("http://evil.example","点我")'


def test_an_employer_named_as_a_formula_comes_out_quoted_in_the_reports_csv(
    client: TestClient, session: Session
) -> None:
    employer, worker = make_employer(session, name=FORMULA), make_worker(session)
    job = make_job(session, employer=employer, start_at=YESTERDAY.replace(microsecond=0))
    make_application(session, job=job, worker=worker, status="completed")
    day = YESTERDAY.date().isoformat()
    form = {"job_id": str(job.id), "kind": "unpaid", "agreed_wage": "300", "work_from": day,
            "work_to": day, "description": "@SUM(1+1)"}  # fmt: skip
    posted = client.post("/api/v1/reports", data=form, headers=auth(session, worker))
    assert posted.status_code == 201, posted.text
    staff = auth(session, make_staff(session))
    text = client.get("/api/v1/staff/reports.csv", headers=staff).text.lstrip("\ufeff")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert any(cell.startswith("'" + FORMULA) for cell in cells)
    assert not any(cell.startswith(("=", "@")) for cell in cells)


def test_only_text_cells_are_neutralised_and_numbers_stay_numbers() -> None:
    assert [csv_cell(v) for v in ("=1+2", "+86", "-x", "@a", "\tx", "\rx")] == [
        "'=1+2", "'+86", "'-x", "'@a", "'\tx", "'\rx",
    ]  # fmt: skip
    assert [csv_cell(v) for v in (-5, -2.5, 0, None, "李师傅")] == [-5, -2.5, 0, "", "李师傅"]
    response = csv_response("t.csv", "en", [("a", "A"), ("b", "B")], [{"a": -3, "b": "-3"}])
    assert response.body.decode().lstrip("\ufeff").splitlines()[1] == "-3,'-3"
