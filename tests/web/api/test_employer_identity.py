"""Employers who are who they say: a 统一社会信用代码 checked by GB 32100-2015, or a
private person's statement; staff verify only one of the two, and workers' badge means that."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from market.errors import Conflict
from market.models import EmployerProfile, User
from market.moderation import service as moderation_service
from tests.factories import auth, make_employer, make_staff, make_worker
from tests.web.pages.forms import log_in

CODE = "9144030071526726XG"  # 深圳市腾讯计算机系统有限公司's published code
EN = {"Accept-Language": "en"}


def _profile(session: Session, employer: User) -> EmployerProfile:
    session.expire_all()
    return session.get_one(EmployerProfile, employer.id)


def test_an_employer_gives_a_code_and_staff_verify_it(client: TestClient, session: Session) -> None:
    employer = make_employer(session, credit_code=None)
    headers, staff = auth(session, employer), auth(session, make_staff(session))
    session.commit()
    put = client.put(
        "/api/v1/employer/profile", json={"credit_code": " 9144 0300 7152 6726xg "}, headers=headers
    )
    assert put.status_code == 200, put.text
    assert put.json()["credit_code"] == CODE and put.json()["verified"] is False
    verified = client.post(
        f"/api/v1/staff/employers/{employer.id}/verify", json={"verified": True}, headers=staff
    )
    assert verified.status_code == 200 and verified.json()["verified"] is True
    mine = client.get("/api/v1/employer/profile", headers=headers).json()
    assert mine == {
        "org_name": "李老板的公司",
        "credit_code": CODE,
        "private_person": False,
        "verified": True,
    }
    # another code is not what staff checked: the badge goes until they look again
    other = "91110000802100433B"
    changed = client.put("/api/v1/employer/profile", json={"credit_code": other}, headers=headers)
    assert changed.json()["verified"] is False


def test_a_private_person_states_so_and_staff_can_verify(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session, credit_code=None)
    headers, staff = auth(session, employer), auth(session, make_staff(session))
    session.commit()
    put = client.put("/api/v1/employer/profile", json={"private_person": True}, headers=headers)
    assert put.json()["private_person"] is True and put.json()["credit_code"] is None
    verified = client.post(
        f"/api/v1/staff/employers/{employer.id}/verify", json={"verified": True}, headers=staff
    )
    assert verified.status_code == 200 and _profile(session, employer).verified


def test_staff_cannot_verify_an_employer_who_stated_neither(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session, credit_code=None)
    staff = auth(session, make_staff(session))
    session.commit()
    refused = client.post(
        f"/api/v1/staff/employers/{employer.id}/verify", json={"verified": True}, headers=staff
    )
    assert refused.status_code == 409 and "统一社会信用代码" in refused.json()["detail"]
    refused = client.post(
        f"/api/v1/staff/employers/{employer.id}/verify",
        json={"verified": True},
        headers={**staff, **EN},
    )
    assert refused.status_code == 409 and "credit code" in refused.json()["detail"]
    assert not _profile(session, employer).verified


def test_a_code_stored_bad_before_the_check_cannot_be_verified(session: Session) -> None:
    employer = make_employer(session, credit_code="9144030071526726X0")
    with pytest.raises(Conflict):
        moderation_service.employer_verify(
            session=session, staff=make_staff(session), employer_id=employer.id or 0
        )


@pytest.mark.parametrize(
    ("body", "zh", "en"),
    [
        ({"credit_code": CODE[:17] + "0"}, "校验位不对", "does not add up"),
        ({"credit_code": "91440300"}, "由 18 位数字和大写字母组成", "18 characters"),
        ({"credit_code": ""}, "个人身份用工", "private person"),
        ({}, "个人身份用工", "private person"),
    ],
)
def test_a_bad_code_is_a_clear_422_in_both_languages_writing_nothing(
    client: TestClient, session: Session, body: dict[str, str], zh: str, en: str
) -> None:
    employer = make_employer(session, credit_code=None)
    headers = auth(session, employer)
    session.commit()
    answer = client.put("/api/v1/employer/profile", json=body, headers=headers)
    assert answer.status_code == 422 and zh in answer.json()["detail"], answer.text
    assert answer.json()["errors"][0]["field"] == "credit_code"
    answer = client.put("/api/v1/employer/profile", json=body, headers={**headers, **EN})
    assert answer.status_code == 422 and en in answer.json()["detail"]
    profile = _profile(session, employer)
    assert (profile.credit_code, profile.private_person) == (None, False)


def test_a_worker_has_no_employer_profile(client: TestClient, session: Session) -> None:
    headers = auth(session, make_worker(session))
    session.commit()
    assert client.get("/api/v1/employer/profile", headers=headers).status_code == 403
    put = client.put("/api/v1/employer/profile", json={"private_person": True}, headers=headers)
    assert put.status_code == 403


def test_the_account_page_takes_the_code_and_staff_see_it_before_verifying(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session, name="诚信建筑", credit_code=None)
    staff = make_staff(session)
    session.commit()
    csrf = log_in(client, employer, switch=True)
    bad = client.post("/account/employer", data={"csrf_token": csrf, "credit_code": "123"})
    assert bad.status_code == 422 and "统一社会信用代码由 18 位数字和大写字母组成" in bad.text
    assert 'id="credit_code-error"' in bad.text and 'value="123"' in bad.text
    assert _profile(session, employer).credit_code is None
    saved = client.post(
        "/account/employer", data={"csrf_token": csrf, "credit_code": CODE}, follow_redirects=False
    )
    assert saved.status_code == 303
    page = client.get(saved.headers["location"]).text
    assert "工会工作人员会对照营业执照核实" in page and f'value="{CODE}"' in page

    csrf = log_in(client, staff, switch=True)
    console = client.get("/staff/moderation?q=诚信建筑").text
    assert f'id="identity-{employer.id}"' in console and CODE in console
    done = client.post(
        f"/staff/moderation/users/{employer.id}/verify",
        data={"csrf_token": csrf, "verified": "1", "q": "诚信建筑"},
    )
    assert done.status_code == 200 and _profile(session, employer).verified


def test_staff_verify_form_refuses_an_employer_without_a_code_next_to_the_row(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session, name="无名老板", credit_code=None)
    staff = make_staff(session)
    session.commit()
    csrf = log_in(client, staff, switch=True)
    console = client.get("/staff/moderation?q=无名老板").text
    assert "未填写信用代码" in console
    refused = client.post(
        f"/staff/moderation/users/{employer.id}/verify",
        data={"csrf_token": csrf, "verified": "1", "q": "无名老板"},
    )
    assert refused.status_code in (409, 422) and f'id="user-{employer.id}-error"' in refused.text
    assert "统一社会信用代码" in refused.text
    assert not _profile(session, employer).verified
