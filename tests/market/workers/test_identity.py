"""A worker's 身份证 number: the GB 11643 check digit, kept encrypted, exported, erased."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session

from market.accounts import privacy as privacy_service
from market.errors import Invalid
from market.models import WorkerIdentity
from market.workers import identity as identity_service
from market.workers.identity import check_digit, mask, normalise_id_number
from tests.factories import make_worker

EXAMPLE = "11010519491231002X"  # the standard's own example (GB 11643-1999, annex)


def _valid(first17: str) -> str:
    """A number made with the algorithm: 17 digits and the check digit they call for."""
    return first17 + check_digit(first17)


# region, birth date, sequence: built here, not taken from real people
MADE = [_valid("37060219850312123"), _valid("44030420000229456"), _valid("11010119000101001")]


def test_the_standards_example_passes_in_any_case_and_spacing() -> None:
    assert check_digit(EXAMPLE[:17]) == "X"
    assert normalise_id_number(EXAMPLE) == EXAMPLE
    assert normalise_id_number(" 110105 19491231 002x ") == EXAMPLE


@pytest.mark.parametrize("number", MADE)
def test_numbers_made_with_the_algorithm_pass_and_any_other_last_character_fails(
    number: str,
) -> None:
    assert normalise_id_number(number) == number
    for wrong in "0123456789X".replace(number[17], ""):
        with pytest.raises(Invalid, match="does not add up"):
            normalise_id_number(number[:17] + wrong)


def test_one_changed_digit_is_caught() -> None:
    number = MADE[0]
    changed = number[:16] + str((int(number[16]) + 1) % 10)
    with pytest.raises(Invalid, match="does not add up"):
        normalise_id_number(changed + number[17])


@pytest.mark.parametrize(
    "first17",
    [
        "37060219850230123",  # 30 February
        "37060219851301123",  # month 13
        "37060218991231123",  # before 1900
        "37060220991231123",  # born in the future
    ],
)
def test_a_birth_date_that_is_not_real_or_still_to_come_is_refused(first17: str) -> None:
    with pytest.raises(Invalid, match="birth date"):
        normalise_id_number(_valid(first17), today=date(2026, 11, 29))


@pytest.mark.parametrize(
    "raw", ["", "1101051949123100", "11010519491231002XX", "1101051949123100Y2"]
)
def test_a_wrong_shape_is_refused_without_echoing_the_number(raw: str) -> None:
    with pytest.raises(Invalid, match="18 characters") as refused:
        normalise_id_number(raw)
    assert refused.value.field == "id_number"
    assert not raw or raw not in str(refused.value)


def test_masked_shows_the_first_and_last_four() -> None:
    assert mask("370602198503121234") == "3706**********1234"


def test_the_number_is_not_readable_in_the_database(session: Session) -> None:
    worker = make_worker(session)
    number = MADE[0]
    identity_service.identity_set(
        session=session, worker=worker, legal_name="王建国", id_number=number
    )
    raw = session.execute(
        text("SELECT id_number_encrypted FROM worker_identity WHERE user_id = :id"),
        {"id": worker.id},
    ).scalar_one()
    assert number not in raw and number[6:14] not in raw and number[-4:] not in raw
    again = identity_service.get_identity(session=session, worker_id=worker.id or 0)
    assert again is not None and (again.legal_name, again.id_number) == ("王建国", number)
    assert again.masked == mask(number)


def test_bad_input_writes_nothing(session: Session) -> None:
    worker = make_worker(session)
    with pytest.raises(Invalid):
        identity_service.identity_set(
            session=session, worker=worker, legal_name="王建国", id_number=EXAMPLE[:17] + "1"
        )
    with pytest.raises(Invalid, match="name"):
        identity_service.identity_set(
            session=session, worker=worker, legal_name=" ", id_number=EXAMPLE
        )
    assert session.get(WorkerIdentity, worker.id) is None


def test_the_export_holds_the_number_and_deleting_the_account_removes_it(session: Session) -> None:
    worker = make_worker(session)
    identity_service.identity_set(
        session=session, worker=worker, legal_name="王建国", id_number=EXAMPLE
    )
    data = privacy_service.export_user_data(session=session, user=worker)
    assert data["identity"] == {"legal_name": "王建国", "id_number": EXAMPLE}
    privacy_service.account_delete(session=session, user=worker)
    assert session.get(WorkerIdentity, worker.id) is None
    count = session.execute(
        text("SELECT count(*) FROM worker_identity WHERE user_id = :id"), {"id": worker.id}
    ).scalar_one()
    assert count == 0


def test_a_worker_without_an_identity_exports_none(session: Session) -> None:
    worker = make_worker(session)
    assert privacy_service.export_user_data(session=session, user=worker)["identity"] is None
