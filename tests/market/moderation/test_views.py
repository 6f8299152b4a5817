"""The staff's moderation page: search, what is hidden, and the log, read in one call."""

from __future__ import annotations

from sqlmodel import Session

from market.moderation import service as moderation_service
from market.moderation import views as moderation_views
from tests.factories import make_employer, make_job, make_staff, make_worker


def test_moderation_board_finds_accounts_only_for_a_query(session: Session) -> None:
    make_worker(session, name="赵一工")
    employer = make_employer(session, name="赵老板")
    job = make_job(session, employer=employer, title="赵家刷墙")
    idle = moderation_views.get_moderation_board(session=session)
    assert idle.query == "" and list(idle.accounts) == []
    assert job.id in [j.id for j in idle.jobs]
    found = moderation_views.get_moderation_board(session=session, query="  赵  ")
    assert found.query == "赵"
    assert {u.name for u, _profile in found.accounts} == {"赵一工", "赵老板"}
    assert [j.id for j in found.jobs] == [job.id]


def test_moderation_board_shows_hidden_postings_and_the_latest_actions(session: Session) -> None:
    job = make_job(session)
    moderation_service.job_hide(session=session, staff=make_staff(session), job=job, reason="虚假")
    board = moderation_views.get_moderation_board(session=session)
    assert [j.id for j in board.hidden] == [job.id]
    assert board.log[0].action == "job.hidden" and board.log[0].job_id == job.id
