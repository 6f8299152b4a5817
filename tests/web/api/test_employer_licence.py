"""An employer's licence photo over HTTP: sent as multipart, checked by its bytes, at most
5 MB; only the employer and staff fetch it, never cached and never sniffed; a new photo is
verified again; the data export carries it and deleting the account removes it."""

from __future__ import annotations

import base64
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from market.models import EmployerLicence
from market.moderation import service as moderation_service
from tests.factories import auth, make_employer, make_staff, make_worker, png_image
from tests.web.api.test_bad_input import snapshot

EN = {"Accept-Language": "en"}
URL = "/api/v1/employer/licence"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
MB = 1024 * 1024


def _send(client: TestClient, headers: dict[str, str], data: bytes, name: str = "x.jpg") -> Any:
    files = {"photo": (name, data, "image/jpeg")}  # what the browser says counts for nothing
    return client.put(URL, files=files, headers=headers)


def _private_image(answer: Any, content_type: str, data: bytes) -> None:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == content_type
    assert answer.headers["cache-control"] == "private, no-store"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.content == data


def test_the_employer_and_staff_get_the_photo_with_the_type_its_bytes_tell(
    client: TestClient, session: Session
) -> None:
    employer, staff = make_employer(session), make_staff(session)
    mine, staffs = auth(session, employer), auth(session, staff)
    session.commit()
    staff_url = f"/api/v1/staff/employers/{employer.id}/licence"
    for data, name, content_type in (
        (JPEG, "licence.png", "image/jpeg"),
        (png_image(), "licence.gif", "image/png"),
        (WEBP, "licence", "image/webp"),
    ):
        sent = _send(client, mine, data, name)
        assert sent.status_code == 200, sent.text
        assert sent.json()["content_type"] == content_type and sent.json()["size"] == len(data)
        _private_image(client.get(URL, headers=mine), content_type, data)
        _private_image(client.get(staff_url, headers=staffs), content_type, data)


def test_nobody_else_gets_the_photo(client: TestClient, session: Session) -> None:
    employer, stranger = make_employer(session), make_employer(session)
    worker, staff = make_worker(session), make_staff(session)
    users = {"e": employer, "s": stranger, "w": worker, "staff": staff}
    headers = {name: auth(session, user) for name, user in users.items()}
    session.commit()
    assert _send(client, headers["e"], JPEG).status_code == 200
    staff_url = f"/api/v1/staff/employers/{employer.id}/licence"
    assert client.get(URL, headers=headers["s"]).status_code == 404  # their own: none sent
    assert client.get(URL, headers=headers["w"]).status_code == 403
    assert client.get(URL).status_code == 401
    for caller in ("e", "s", "w"):
        assert client.get(staff_url, headers=headers[caller]).status_code == 403
    assert client.get(staff_url).status_code == 401
    assert _send(client, headers["w"], JPEG).status_code == 403
    none_sent = client.get(
        f"/api/v1/staff/employers/{stranger.id}/licence", headers={**headers["staff"], **EN}
    )
    assert (none_sent.status_code, none_sent.json()["detail"]) == (
        404,
        "No licence photo has been sent",
    )


def test_not_an_image_or_too_big_is_refused_in_both_languages_and_writes_nothing(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    headers = auth(session, employer)
    session.commit()
    before = snapshot(session)
    gif = _send(client, headers, b"GIF89a" + b"\x00" * 64, "licence.jpg")
    assert (gif.status_code, gif.json()["detail"]) == (422, "照片必须是 JPEG、PNG 或 WebP 图片")
    svg = _send(client, {**headers, **EN}, b"<svg xmlns='http://www.w3.org/2000/svg'/>", "a.png")
    assert svg.json()["detail"] == "The photo must be a JPEG, PNG or WebP image"
    over = _send(client, headers, JPEG + b"\x00" * (5 * MB - len(JPEG) + 1))
    assert (over.status_code, over.json()["detail"]) == (422, "照片最大 5 MB")
    huge = _send(client, {**headers, **EN}, JPEG + b"\x00" * (6 * MB))
    assert huge.status_code == 413 and huge.json()["detail"] == "The request is too large"
    assert _send(client, headers, JPEG + b"\x00" * (6 * MB)).status_code == 413
    missing = client.put(URL, headers=headers)
    assert missing.status_code == 422
    assert snapshot(session) == before
    assert _send(client, headers, JPEG + b"\x00" * (5 * MB - len(JPEG))).status_code == 200


def test_a_new_photo_takes_the_badge_away_until_staff_look_again(
    client: TestClient, session: Session
) -> None:
    employer, staff = make_employer(session), make_staff(session)
    headers = auth(session, employer)
    session.commit()
    assert _send(client, headers, JPEG).status_code == 200
    moderation_service.employer_verify(session=session, staff=staff, employer_id=employer.id or 0)
    session.commit()
    assert client.get("/api/v1/employer/profile", headers=headers).json()["verified"] is True
    assert _send(client, headers, png_image()).status_code == 200
    assert client.get("/api/v1/employer/profile", headers=headers).json()["verified"] is False


def test_the_export_carries_the_photo_and_deleting_the_account_removes_it(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    headers = auth(session, employer)
    session.commit()
    _send(client, headers, JPEG)
    exported = client.get("/api/v1/me/export", headers=headers).json()["licence_photo"]
    assert base64.b64decode(exported["data_base64"]) == JPEG
    assert client.delete("/api/v1/me", headers=headers).status_code == 204
    session.expire_all()
    assert session.get(EmployerLicence, employer.id) is None
