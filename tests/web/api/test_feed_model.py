"""The feed pages and API answered from the read model, in one process (local broker)."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from market.settings import Settings
from tests.factories import YANTAI, auth, job_body, make_employer, make_job, make_worker

SQLITE = pytest.mark.parametrize("fresh_engine", ["sqlite"], indirect=True)


@SQLITE
def test_the_feed_page_and_api_answer_from_the_model_and_follow_new_posts(
    fresh_engine: Engine,
) -> None:
    from web.app import create_app

    with Session(fresh_engine, expire_on_commit=False) as session:
        worker, boss = make_worker(session), make_employer(session)
        make_job(session, title="开张前刷墙", lat=YANTAI[0] + 0.01)
        worker_h, boss_h = auth(session, worker), auth(session, boss)
        session.commit()
    settings = Settings(environment="test", feed_read_model="on", rate_limits="off")
    app = create_app(settings, engine=fresh_engine)
    with TestClient(app) as client:
        assert app.state.live.feed.ready
        page = client.get("/feed", headers=worker_h)
        assert page.status_code == 200 and "开张前刷墙" in page.text
        with Session(fresh_engine) as session:  # a row without its event: not in the model
            make_job(session, title="悄悄写进的活", lat=YANTAI[0] + 0.02)
            session.commit()
        posted = client.post("/api/v1/jobs", json=job_body(trade="painter"), headers=boss_h)
        assert posted.status_code == 201, posted.text
        deadline = time.monotonic() + 5
        while True:
            items = client.get("/api/v1/worker/feed", headers=worker_h).json()["items"]
            if posted.json()["id"] in [i["job"]["id"] for i in items]:
                break
            assert time.monotonic() < deadline, "the posted job never reached the feed"
            time.sleep(0.05)
        assert "悄悄写进的活" not in [i["job"]["title"] for i in items]
        assert items[0]["reason"] and items[0]["job"]["slots_left"] > 0
        cards = client.get("/feed/cards", headers=worker_h)
        assert cards.status_code == 200 and "新房刷墙" in cards.text


@pytest.mark.parametrize(
    "fresh_engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_the_replica_solves_slot_prices_in_the_background_and_its_feeds_lean_by_them(
    fresh_engine: Engine,
) -> None:
    from web.app import create_app

    km = 1 / 111.2
    lat, lon = YANTAI
    with Session(fresh_engine, expire_on_commit=False) as session:
        boss = make_employer(session)
        make_worker(session, lat=lat + 0.2 * km, lon=lon, radius_km=1)  # reaches one job
        li = make_worker(session, lat=lat - 0.5 * km, lon=lon, radius_km=10)
        courtyard = make_job(session, employer=boss, headcount=1, lat=lat, lon=lon)
        further = make_job(session, employer=boss, headcount=1, lat=lat - 3.5 * km, lon=lon)
        li_h, boss_h = auth(session, li), auth(session, boss)
        session.commit()
    settings = Settings(
        environment="test", feed_read_model="on", rate_limits="off", prices_seconds=0.1
    )
    app = create_app(settings, engine=fresh_engine)

    def feed() -> list[int]:
        items = client.get("/api/v1/worker/feed", headers=li_h).json()["items"]
        return [i["job"]["id"] for i in items]

    def within(check: object, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while not check():  # type: ignore[operator]
            assert time.monotonic() < deadline, "not within the time allowed"
            time.sleep(0.05)

    with TestClient(app) as client:
        book = app.state.live.feed.book
        within(lambda: feed() == [further.id, courtyard.id])
        assert book.prices[str(courtyard.id)] > 0.01
        posted = client.post(
            "/api/v1/jobs", json=job_body(trade="painter", headcount=1), headers=boss_h
        )
        assert posted.status_code == 201, posted.text
        within(lambda: str(posted.json()["id"]) in book.prices)  # the next solve prices it
