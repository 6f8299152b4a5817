"""The outbox numbers committed events once, in commit order, for the relay to publish."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from market.events import outbox
from market.events.service import event_record

BOTH = pytest.mark.parametrize("fresh_engine", ["sqlite", "postgres"], indirect=True)


@BOTH
def test_a_relay_that_has_looked_numbers_without_looking_again(fresh_engine: Engine) -> None:
    assert not outbox.has_pending(engine=fresh_engine)
    assert outbox.number_pending(engine=fresh_engine) == []
    # told it looked, with nothing there: the numbering transaction finds nothing either
    assert outbox.number_pending(engine=fresh_engine, looked=True) == []
    with Session(fresh_engine) as session:
        for n in range(3):
            event_record(session=session, kind="test.event", payload={"n": n})
        session.commit()
    assert outbox.has_pending(engine=fresh_engine)
    numbered = outbox.number_pending(engine=fresh_engine, looked=True)
    assert numbered is not None
    assert [e.payload["n"] for e in numbered] == [0, 1, 2]
    assert [e.seq for e in numbered] == list(range(numbered[0].seq, numbered[0].seq + 3))
    assert not outbox.has_pending(engine=fresh_engine)
    assert outbox.number_pending(engine=fresh_engine, looked=True) == []
    assert outbox.current_seq(engine=fresh_engine) == numbered[-1].seq
