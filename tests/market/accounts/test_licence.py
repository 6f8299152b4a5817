"""An employer's licence photo: JPEG, PNG or WebP by its bytes, at most 5 MB; a new photo is
verified again; the data export carries it and deleting the account removes it."""

from __future__ import annotations

import base64
import threading

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, select

from market.accounts import employers as employer_service
from market.accounts import privacy as privacy_service
from market.db import session_scope
from market.errors import Invalid, NotFound
from market.models import EmployerLicence, EmployerProfile, User
from market.moderation import service as moderation_service
from market.moderation import views as moderation_views
from tests.factories import make_employer, make_staff, png_image
from tests.market.notifications.helpers import race
from tests.market.service_helpers import events_after, last_event_id, refused

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


def _send(db: Session, employer: User, data: bytes) -> EmployerLicence:
    return employer_service.licence_set(session=db, employer=employer, data=data)


def test_a_jpeg_png_or_webp_is_kept_with_the_type_its_bytes_tell(db: Session) -> None:
    employer = make_employer(db)
    for data, content_type in (
        (JPEG, "image/jpeg"),
        (png_image(), "image/png"),
        (WEBP, "image/webp"),
    ):
        _send(db, employer, data)
        kept = employer_service.get_licence(session=db, employer_id=employer.id or 0)
        assert (kept.content_type, kept.data) == (content_type, data)
    rows = db.exec(select(EmployerLicence).where(EmployerLicence.employer_id == employer.id)).all()
    assert len(rows) == 1  # a new photo replaces the old one


def test_anything_else_or_anything_bigger_is_refused_and_nothing_is_written(db: Session) -> None:
    employer = make_employer(db)
    kinds = "The photo must be a JPEG, PNG or WebP image"
    for data in (
        b"GIF89a" + b"\x00" * 32,
        b"%PDF-1.7\n",
        b"<svg></svg>",
        b"",
        b"RIFF\x00\x00\x00\x00WAVE",
    ):
        refused(db, lambda data=data: _send(db, employer, data), Invalid, kinds)  # type: ignore[misc]
    too_big = JPEG + b"\x00" * (5 * 1024 * 1024 - len(JPEG) + 1)
    refused(db, lambda: _send(db, employer, too_big), Invalid, "The photo may be at most 5 MB")
    _send(db, employer, too_big[:-1])  # exactly 5 MB is fine
    with_no_photo = make_employer(db)
    refused(
        db,
        lambda: employer_service.get_licence(session=db, employer_id=with_no_photo.id or 0),
        NotFound,
        "No licence photo has been sent",
    )


def test_a_new_photo_after_verification_sends_the_employer_back_to_be_verified(
    db: Session,
) -> None:
    employer, staff = make_employer(db), make_staff(db)
    _send(db, employer, JPEG)
    moderation_service.employer_verify(session=db, staff=staff, employer_id=employer.id or 0)
    mark = last_event_id(db)
    _send(db, employer, png_image())
    profile = db.get(EmployerProfile, employer.id)
    assert profile is not None and profile.verified is False
    assert [e.kind for e in events_after(db, mark)] == ["employer.unverified"]
    mark = last_event_id(db)
    _send(db, employer, JPEG)  # not verified: nothing more to take back
    assert events_after(db, mark) == []


def test_staff_see_when_each_listed_employer_sent_the_photo(db: Session) -> None:
    sent, unsent = make_employer(db, name="有执照"), make_employer(db, name="没执照")
    licence = _send(db, sent, JPEG)
    board = moderation_views.get_moderation_board(session=db, query="执照")
    assert {u.id for u, _ in board.accounts} >= {sent.id, unsent.id}
    assert board.licences == {sent.id: licence.uploaded_at}


def test_the_export_carries_the_photo_and_deleting_the_account_removes_it(db: Session) -> None:
    employer = make_employer(db)
    _send(db, employer, JPEG)
    exported = privacy_service.export_user_data(session=db, user=employer)["licence_photo"]
    assert exported["content_type"] == "image/jpeg"
    assert base64.b64decode(exported["data_base64"]) == JPEG
    privacy_service.account_delete(session=db, user=employer)
    assert db.get(EmployerLicence, employer.id) is None


@pytest.mark.slow
def test_two_photos_sent_at_the_same_moment_both_succeed_and_one_is_kept(
    fresh_engine: Engine,
) -> None:
    with session_scope(fresh_engine) as db:
        employer = make_employer(db)
    photos, threads = iter([JPEG, png_image()]), 2
    # both look for an earlier photo before either inserts (PostgreSQL); SQLite lets one
    # writer in at a time (BEGIN IMMEDIATE), so its twin finds the row the first one kept
    looked = threading.Barrier(threads) if fresh_engine.dialect.name == "postgresql" else None

    def send() -> None:
        with session_scope(fresh_engine) as db:
            if looked is not None:
                event.listen(db, "before_flush", lambda *_: looked.wait(10), once=True)
            _send(db, employer, next(photos))

    race(send, threads)
    with Session(fresh_engine) as db:
        kept = db.exec(select(EmployerLicence)).all()
        assert len(kept) == 1 and kept[0].data in (JPEG, png_image())
        assert kept[0].content_type == employer_service.image_type(kept[0].data)
