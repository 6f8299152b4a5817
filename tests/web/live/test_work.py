"""The work record's live updates: each side hears what the other records, and only they."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from market.models import User
from market.types import utcnow
from tests.factories import make_employer, make_staff
from tests.market.work.work_factories import make_hire
from tests.web.live.conftest import LiveServer, collect, hello, login, make, until

Serve = Callable[..., LiveServer]


def test_pay_recorded_disputed_and_the_case_reach_both_sides_only(
    fresh_engine: Engine, serve: Serve
) -> None:
    with Session(fresh_engine, expire_on_commit=False) as session:
        application, job = make_hire(session, start_at=utcnow() - timedelta(hours=2))
        worker = session.get_one(User, application.worker_id)
        employer = session.get_one(User, job.employer_id)
        session.commit()
    worker_token, employer_token = login(fresh_engine, worker), login(fresh_engine, employer)
    _, stranger = make(fresh_engine, make_employer)
    _, staff = make(fresh_engine, make_staff)
    server = serve()
    record = f"/api/v1/work/records/{application.id}"

    async def scenario() -> None:
        async with (
            server.connect(worker_token) as w,
            server.connect(employer_token) as e,
            server.connect(stranger) as other,
            server.connect(staff) as s,
        ):
            for ws in (w, e, other, s):
                await hello(ws)
            payment = await server.apost(
                f"{record}/payments", {"amount": 300, "method": "cash"}, employer_token
            )
            told = await until(w, "payment.recorded")
            assert told["data"] == {
                "application": application.id,
                "job": job.id,
                "payment": payment["id"],
                "amount": 300,
                "method": "cash",
            }
            await server.apost(
                f"/api/v1/work/payments/{payment['id']}/dispute", {"received": 0}, worker_token
            )
            assert (await until(e, "payment.disputed"))["data"]["received"] == 0
            for ws in (w, e, s):
                opened = await until(ws, "arrears.opened")
                assert opened["data"]["reason"] == "disputed" and opened["data"]["owed"] == 300
            assert await collect(other, 0.5) == []

    asyncio.run(scenario())
