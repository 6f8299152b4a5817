"""Moving an account to a new number: a code texted to the new number and the password; the
old number told, every other session ended; refusals that write nothing and name no account."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from market.accounts import codes
from market.accounts import phone as phone_service
from market.accounts import service as account_service
from market.accounts.codes import Purpose
from market.accounts.schemas import PhoneChange
from market.errors import Conflict, Invalid, TooManyRequests
from market.models import PhoneCode, SmsMessage, User, UserSession
from market.types import utcnow
from tests.factories import PASSWORD, make_employer, make_staff, make_worker, next_phone, sent_code
from tests.market.service_helpers import events_after, last_event_id, refused

NO_CODE = "No code is waiting for this number; ask for a new code"


def _change(db: Session, user: User, current: UserSession, phone: str, code: str, **kw: str):  # type: ignore[no-untyped-def]
    data = PhoneChange(phone=phone, code=code, password=kw.get("password", PASSWORD))
    return phone_service.phone_change(session=db, user=user, current=current, data=data)


def _ask(db: Session, user: User, phone: str) -> int:
    return phone_service.phone_code_request(session=db, user=user, phone=phone)


def _sessions(db: Session, user: User) -> set[str]:
    rows = db.exec(select(UserSession.token_hash).where(UserSession.user_id == user.id))
    return set(rows.all())


@pytest.mark.parametrize("make_user", [make_worker, make_employer, make_staff])
def test_the_code_texted_to_the_new_number_moves_the_account(
    db: Session, make_user: Callable[[Session], User]
) -> None:
    user = make_user(db)
    old, new = user.phone, next_phone()
    _, here = account_service.session_create(session=db, user=user)
    account_service.session_create(session=db, user=user)  # another phone, logged in
    mark = last_event_id(db)
    assert _ask(db, user, new) == 600
    _change(db, user, here, new, sent_code(db, new))
    db.refresh(user)
    assert user.phone == new
    assert _sessions(db, user) == {here.token_hash}  # every other session ended
    told = db.exec(select(SmsMessage).where(SmsMessage.phone == old)).all()
    assert [(m.template_id, m.params) for m in told] == [("phone_changed", {"tail": new[-4:]})]
    assert new[-4:] in told[0].body and new not in told[0].body
    # the other replicas forget the ended logins (market.accounts.logins)
    assert [e.kind for e in events_after(db, mark)] == ["logins.ended", "user.phone_changed"]
    assert account_service.user_authenticate(session=db, phone=new, password=PASSWORD) == user


def test_asking_for_a_code_to_a_registered_number_looks_the_same_and_only_its_holder_is_refused(
    db: Session,
) -> None:
    user, holder = make_worker(db), make_worker(db)
    _, here = account_service.session_create(session=db, user=user)
    free = next_phone()
    # the same answer either way, and either number gets its code: nothing tells them apart
    assert _ask(db, user, holder.phone) == _ask(db, user, free) == 600
    code = sent_code(db, holder.phone)  # only whoever holds the number reads it
    refused(
        db,
        lambda: _change(db, user, here, holder.phone, code),
        Conflict,
        "This number cannot be used for your account; choose another number",
    )
    db.refresh(user)
    assert user.phone != holder.phone


def test_a_wrong_password_or_code_and_a_code_for_another_number_write_nothing(
    db: Session,
) -> None:
    user = make_worker(db)
    _, here = account_service.session_create(session=db, user=user)
    new, other = next_phone(), next_phone()
    _ask(db, user, new)
    code = sent_code(db, new)
    wrong_password = lambda: _change(db, user, here, new, code, password="not-my-password")  # noqa: E731
    refused(db, wrong_password, Invalid, "The current password is wrong")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    refused(db, lambda: _change(db, user, here, new, wrong), Invalid, "Wrong code; 4 tries left")
    refused(db, lambda: _change(db, user, here, other, code), Invalid, NO_CODE)
    _change(db, user, here, new, code)


def test_an_expired_reused_or_other_purposes_code_is_refused(db: Session) -> None:
    user, second = make_worker(db), make_worker(db)
    _, here = account_service.session_create(session=db, user=user)
    _, there = account_service.session_create(session=db, user=second)
    new = next_phone()
    codes.code_request(session=db, phone=new, purpose=Purpose.signup)  # a sign-up code
    refused(db, lambda: _change(db, user, here, new, sent_code(db, new)), Invalid, NO_CODE)
    _ask(db, user, new)
    code = sent_code(db, new)
    row = db.exec(select(PhoneCode).order_by(col(PhoneCode.id).desc())).first()
    assert row is not None and row.purpose == "phone"
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    db.flush()
    refused(
        db,
        lambda: _change(db, user, here, new, code),
        Invalid,
        "This code has expired; ask for a new code",
    )
    _ask(db, user, new)
    code = sent_code(db, new)
    _change(db, user, here, new, code)
    refused(db, lambda: _change(db, second, there, new, code), Invalid, NO_CODE)


def test_the_same_number_is_refused_before_any_code_is_sent(db: Session) -> None:
    user = make_worker(db)
    _, here = account_service.session_create(session=db, user=user)
    same = "This is already your phone number"
    refused(db, lambda: _ask(db, user, user.phone), Invalid, same)
    refused(db, lambda: _change(db, user, here, user.phone, "123456"), Invalid, same)


def test_phone_codes_count_against_the_numbers_hourly_limit(db: Session) -> None:
    user, new = make_worker(db), next_phone()
    codes.code_request(session=db, phone=new, purpose=Purpose.signup)
    for _ in range(4):
        _ask(db, user, new)
    with pytest.raises(TooManyRequests):
        _ask(db, user, new)
    assert len(db.exec(select(SmsMessage).where(SmsMessage.phone == new)).all()) == 5
