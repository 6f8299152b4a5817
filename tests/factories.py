"""Small keyword factories that write rows directly (fast, and free to make past shifts)."""

from __future__ import annotations

import itertools
import struct
import zlib
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlmodel import Session

from market.accounts import service as accounts
from market.accounts.schemas import normalise_phone
from market.demo.geography import BY_NAME
from market.i18n import market_tz
from market.models import (
    AssistedWorker,
    EmployerProfile,
    Job,
    JobCertificate,
    Role,
    Station,
    StationStaff,
    User,
    WeeklyAvailability,
    WorkerCertificate,
    WorkerProfile,
    WorkerTrade,
)
from market.notifications import sms as sms_service
from matching import trades as catalogue

# the centre of 黄渤海新区, where the gig market is (the one table of the city's districts)
YANTAI = (BY_NAME["黄渤海新区"].lat, BY_NAME["黄渤海新区"].lon)
_phones = itertools.count(13_900_000_000)
PASSWORD = "correct horse battery"


@cache
def _hash() -> str:
    return accounts.hash_password(PASSWORD)


def next_phone() -> str:
    return str(next(_phones))


def make_worker(
    session: Session,
    *,
    trades: tuple[tuple[str, int], ...] = (("painter", 2),),
    certificates: tuple[str, ...] = (),
    lat: float = YANTAI[0],
    lon: float = YANTAI[1],
    radius_km: float = 15,
    min_wage: int = 0,
    all_day: bool = True,
    name: str = "王师傅",
) -> User:
    unknown = [t for t, _ in trades if not catalogue.is_trade(t)]
    assert not unknown, f"not trade codes of the catalogue: {unknown}"  # no product path stores one
    user = User(phone=next_phone(), password_hash=_hash(), role=Role.worker, name=name)
    session.add(user)
    session.flush()
    assert user.id is not None
    session.add(
        WorkerProfile(
            user_id=user.id, home_lat=lat, home_lon=lon, radius_km=radius_km, min_wage=min_wage
        )
    )
    session.flush()
    session.add_all(WorkerTrade(worker_id=user.id, trade=t, level=lv) for t, lv in trades)
    session.add_all(WorkerCertificate(worker_id=user.id, code=c) for c in certificates)
    if all_day:
        session.add_all(
            WeeklyAvailability(worker_id=user.id, weekday=d, start_minute=0, end_minute=1440)
            for d in range(7)
        )
    session.flush()
    return user


SAMPLE_CREDIT_CODE = "91350100M000100Y43"  # GB 32100-2015's worked example


def make_employer(
    session: Session, *, name: str = "李老板", credit_code: str | None = SAMPLE_CREDIT_CODE
) -> User:
    user = User(phone=next_phone(), password_hash=_hash(), role=Role.employer, name=name)
    session.add(user)
    session.flush()
    assert user.id is not None
    session.add(EmployerProfile(user_id=user.id, org_name=f"{name}的公司", credit_code=credit_code))
    session.flush()
    return user


def make_staff(session: Session) -> User:
    user = User(phone=next_phone(), password_hash=_hash(), role=Role.staff, name="工会小张")
    session.add(user)
    session.flush()
    return user


def tomorrow_at(hour: int) -> datetime:
    """`hour` o'clock UTC tomorrow, on the market's calendar (Asia/Shanghai, UTC+8).

    Hours 0-15 UTC (08:00-23:00 in Yantai) fall on the market's tomorrow whatever the time of
    day the test runs: after 16:00 UTC it is already the next day in Yantai, and a job at
    "tomorrow 01:00 UTC" would show as 今天. Later hours keep UTC's tomorrow.
    """
    now = datetime.now(UTC)
    day = now.date() + timedelta(days=1)
    if hour < 16:
        day = now.astimezone(market_tz()).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def job_body(*, start_hour: int = 1, **fields: Any) -> dict[str, Any]:
    """The JSON of a valid job post: an 8-hour painting shift tomorrow; `fields` override."""
    start = tomorrow_at(start_hour)
    body: dict[str, Any] = {
        "trade": "油漆工",
        "title": "新房刷墙",
        "lat": YANTAI[0] + 0.01,
        "lon": YANTAI[1] + 0.01,
        "address": "烟台市芝罘区只楚路 12 号",
        "district": "芝罘区",
        "start_at": start.isoformat(),
        "end_at": (start + timedelta(hours=8)).isoformat(),
        "headcount": 2,
        "wage": 320,
    }
    return {**body, **fields}


def make_job(
    session: Session,
    *,
    employer: User | None = None,
    trade: str = "painter",
    headcount: int = 3,
    wage: int = 300,
    instant: bool = False,
    start_at: datetime | None = None,
    hours: int = 8,
    lat: float = YANTAI[0] + 0.01,
    lon: float = YANTAI[1] + 0.01,
    certificates: tuple[str, ...] = (),
    title: str = "刷墙",
) -> Job:
    employer = employer or make_employer(session)
    assert employer.id is not None
    start = start_at or tomorrow_at(1)
    job = Job(
        employer_id=employer.id,
        trade=trade,
        title=title,
        lat=lat,
        lon=lon,
        address="烟台市芝罘区南大街",
        district="芝罘区",
        start_at=start,
        end_at=start + timedelta(hours=hours),
        headcount=headcount,
        wage=wage,
        instant=instant,
    )
    session.add(job)
    session.flush()
    assert job.id is not None
    session.add_all(JobCertificate(job_id=job.id, code=c) for c in certificates)
    session.flush()
    return job


def sent_code(session: Session, phone: str) -> str:
    """The newest code the `log` SMS provider sent to `phone` (read from its table)."""
    for message in sms_service.list_messages(session=session, phone=normalise_phone(phone)):
        if message.template_id == "verify_code":
            return str(message.params["code"])
    raise AssertionError(f"no code was sent to {phone}")


def api_signup(client: Any, session: Session, body: dict[str, Any], **headers: str) -> Any:
    """Sign up through the API as a person does: ask for a code, read it off the phone, send it."""
    asked = client.post(
        "/api/v1/auth/codes", json={"phone": body["phone"], "purpose": "signup"}, headers=headers
    )
    if asked.status_code != 202:
        return asked
    code = sent_code(session, body["phone"])
    return client.post("/api/v1/auth/register", json={**body, "code": code}, headers=headers)


def auth(session: Session, user: User) -> dict[str, str]:
    """Headers that log `user` in (a real session row, bearer token)."""
    token, _ = accounts.session_create(session=session, user=user)
    return {"Authorization": f"Bearer {token}"}


def make_station(session: Session, *, name: str = "芝罘驿站", active: bool = True) -> Station:
    station = Station(name=name, address="烟台市芝罘区南大街 1 号", lat=37.54, lon=121.39)
    station.active = active
    session.add(station)
    session.flush()
    return station


def make_station_staff(session: Session, *, station: Station, name: str = "驿站小刘") -> User:
    """A station-staff account of `station` (role `station`)."""
    user = User(phone=next_phone(), password_hash=_hash(), role=Role.station, name=name)
    session.add(user)
    session.flush()
    session.add(
        StationStaff(user_id=user.id or 0, station_id=station.id or 0, created_by=user.id or 0)
    )
    session.flush()
    return user


def make_assisted_worker(session: Session, *, staff: User, name: str = "老孙") -> User:
    """A worker (painter, near the gig market) that `staff`'s station registered."""
    worker = make_worker(session, name=name)
    link = session.get(StationStaff, staff.id)
    assert link is not None
    session.add(
        AssistedWorker(
            worker_id=worker.id or 0,
            station_id=link.station_id,
            registered_by=staff.id or 0,
            consent_at=datetime.now(UTC),
        )
    )
    session.flush()
    return worker


def png_image(
    width: int = 48, height: int = 32, rgb: tuple[int, int, int] = (200, 40, 40)
) -> bytes:
    """A real PNG of one colour (a licence photo's stand-in that a browser can draw)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
