"""The ranking weights page of the staff console, without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from market.learning import service as learning_service
from market.models import WeightsVersion
from matching.score import Weights
from tests.factories import make_staff
from tests.staff_factories import make_weights_version
from tests.web.pages.staff.helpers import log_in

PAY_FIRST = Weights(trade_fit=1, time_fit=1, distance=1, wage=6, reliability=1, rating=0)


@pytest.fixture(autouse=True)
def _no_cached_weights() -> Iterator[None]:
    learning_service.forget_live()
    yield
    learning_service.forget_live()


def _staff(client: TestClient, session: Session) -> str:
    staff = make_staff(session)
    session.commit()
    return log_in(client, staff, "/staff/weights")


def _version(session: Session) -> int:
    metrics: dict[str, object] = {"replay_fitted": 0.62, "replay_live": 0.55}
    version = make_weights_version(session, PAY_FIRST, metrics=metrics)
    session.commit()
    return version.id or 0


def _live(session: Session) -> list[int]:
    return [v.id or 0 for v in session.exec(select(WeightsVersion).where(col(WeightsVersion.live)))]


def test_staff_make_a_version_live_and_go_back_to_the_defaults(
    client: TestClient, session: Session
) -> None:
    token = _staff(client, session)
    page = client.get("/staff/weights").text
    assert "当前启用：默认权重" in page and "还没有拟合过权重" in page
    assert 'href="/staff/weights" aria-current="page"' in page
    version_id = _version(session)
    page = client.get("/staff/weights").text
    assert f'id="version-{version_id}"' in page and "0.62 / 0.55" in page and "60%" in page

    made = client.post(
        "/staff/weights/live",
        data={"csrf_token": token, "version_id": str(version_id)},
        follow_redirects=False,
    )
    assert made.status_code == 303 and _live(session) == [version_id]
    page = client.get(made.headers["location"]).text
    assert f"当前启用：第 {version_id} 版" in page and "列表现已按标为启用的权重排序。" in page

    back = client.post(
        "/staff/weights/live", data={"csrf_token": token, "version_id": ""}, follow_redirects=False
    )
    assert back.status_code == 303 and _live(session) == []


@pytest.mark.parametrize(
    ("chosen", "status", "message"),
    [("999999", 404, "没有这个权重版本"), ("abc", 422, "整数"), ("0", 422, "不能小于 1")],
)
def test_a_bad_choice_comes_back_with_its_message_and_changes_nothing(
    client: TestClient, session: Session, chosen: str, status: int, message: str
) -> None:
    token = _staff(client, session)
    version_id = _version(session)
    client.post("/staff/weights/live", data={"csrf_token": token, "version_id": str(version_id)})
    answer = client.post("/staff/weights/live", data={"csrf_token": token, "version_id": chosen})
    assert answer.status_code == status
    assert message in answer.text
    assert _live(session) == [version_id]
