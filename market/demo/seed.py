"""A believable demo market in Yantai (烟台), around the 黄渤海新区 gig market.

Workers and employers live around the real centres of Yantai's districts; trades come in
the proportions of a roadside gig market (many labourers, movers and cleaners, fewer
electricians and welders); jobs run over the next seven days at the day rates paid there.
History (completed gigs with ratings), a few hires, pending applications and a cancelled
job go through the services, so every change has its event. Same seed, same market.
"""

from __future__ import annotations

import contextlib
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlmodel import Session, col, func, select

from market.accounts import service as account_service
from market.accounts.schemas import Registration
from market.applications import service as application_service
from market.errors import DomainError
from market.events.service import event_record
from market.feed import service as feed_service
from market.i18n import market_tz
from market.jobs import service as job_service
from market.jobs.schemas import JobCreate
from market.models import (
    Application,
    EmployerProfile,
    Event,
    Job,
    Rating,
    Role,
    Station,
    User,
    WorkerProfile,
)
from market.stations import service as station_service
from market.types import utcnow
from market.work import service as work_service
from market.work.schemas import CheckIn, PaymentCreate
from market.workers import service as worker_service
from market.workers.schemas import TradeLevel, WeeklyWindow, WorkerProfileUpdate

PASSWORD = "linggong-demo"
DEMO_WORKER, DEMO_EMPLOYER, DEMO_STAFF = "13900000001", "13900000002", "13900000003"
DEMO_LOGINS = (
    ("worker", DEMO_WORKER, PASSWORD),
    ("employer", DEMO_EMPLOYER, PASSWORD),
    ("staff", DEMO_STAFF, PASSWORD),
)
T = TypeVar("T")
GIG_MARKET = (37.5585, 121.2565)  # 黄渤海新区零工市场, 长江路


@dataclass(frozen=True)
class District:
    name: str
    lat: float
    lon: float
    spread_km: float
    workers: int  # relative weights
    jobs: int
    streets: tuple[str, ...]


DISTRICTS = (
    District("黄渤海新区", 37.5585, 121.2560, 4.0, 34, 32,
             ("长江路", "黄河路", "珠江路", "天山路", "衡山路", "金沙江路", "嵩山路")),
    District("芝罘区", 37.5403, 121.3990, 3.0, 22, 24,
             ("南大街", "北马路", "环山路", "胜利路", "只楚路", "西南河路")),
    District("莱山区", 37.5115, 121.4450, 3.5, 16, 18,
             ("港城东大街", "观海路", "迎春大街", "山海路", "盛泉路")),
    District("福山区", 37.4970, 121.2680, 3.5, 14, 12, ("福海路", "河滨路", "永达街", "福新路")),
    District("牟平区", 37.3870, 121.6000, 3.5, 8, 7, ("正阳路", "北关大街", "通海路", "文化街")),
    District("蓬莱区", 37.8110, 120.7590, 4.0, 6, 7, ("钟楼北路", "登州路", "海滨路", "南关路")),
)  # fmt: skip

# trade -> (share of workers, share of jobs, day wage range in CNY, job titles)
TRADES: dict[str, tuple[int, int, tuple[int, int], tuple[str, ...]]] = {
    "general": (24, 20, (180, 250), ("工厂普工", "工地小工", "展会布展杂工", "仓库临时工")),
    "mover": (12, 10, (200, 300), ("搬家搬运", "家具搬运上楼", "办公室搬迁")),
    "loader": (10, 9, (200, 280), ("货车装卸", "集装箱卸货", "冷库装卸")),
    "cleaner": (10, 8, (150, 220), ("新房开荒保洁", "写字楼保洁", "厂房清洁")),
    "housekeeper": (4, 3, (160, 240), ("家庭深度保洁", "钟点工做饭打扫")),
    "sorter": (6, 6, (170, 230), ("快递分拣", "电商仓库分拣打包")),
    "warehouse": (3, 2, (180, 240), ("仓库盘点", "仓管临时替班")),
    "painter": (4, 4, (300, 380), ("新房刷乳胶漆", "厂房墙面翻新")),
    "bricklayer": (3, 3, (320, 420), ("砌墙", "卫生间改造瓦工")),
    "tiler": (2, 2, (330, 430), ("厨卫贴砖", "地面铺砖")),
    "carpenter": (3, 3, (320, 420), ("吊顶木工", "门窗安装")),
    "plumber": (3, 2, (300, 400), ("水电改造", "暖气管道维修")),
    "electrician": (3, 3, (350, 450), ("厂房线路检修", "商铺电路改造")),
    "welder": (3, 3, (350, 480), ("钢结构电焊", "护栏焊接")),
    "forklift": (2, 2, (260, 340), ("叉车装卸", "港区叉车司机")),
    "driver": (2, 1, (280, 380), ("货车送货", "同城配送司机")),
    "cook": (1, 1, (220, 320), ("食堂炒锅", "婚宴厨师")),
    "kitchen_helper": (3, 2, (150, 200), ("饭店帮厨", "食堂洗碗切配")),
    "security": (3, 2, (150, 200), ("活动保安", "工地夜班门卫")),
    "gardener": (2, 2, (160, 220), ("小区绿化修剪", "道路绿化养护")),
    "farmhand": (3, 4, (150, 220), ("苹果采摘", "葡萄园剪枝", "大樱桃采摘")),
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曲姜孔鞠隋衣"
GIVEN = "建国军伟强磊洋勇艳杰娟涛明超秀兰霞平刚桂英华玉芳海波志红春梅德福海燕立新"
ORG_KINDS = ("物流有限公司", "装饰工程有限公司", "家政服务中心", "建筑劳务有限公司",
             "食品有限公司", "物业管理有限公司", "果蔬专业合作社", "机械制造有限公司")  # fmt: skip
ORG_WORDS = ("海川", "港城", "鑫诚", "福瑞", "东方", "金桥", "万家", "蓝海", "顺达", "仙境")
# weekly availability patterns: (share, weekdays, start, end)
PATTERNS = (
    (40, range(7), "06:00", "20:00"),
    (25, range(5), "07:00", "18:00"),
    (15, range(7), "05:00", "13:00"),  # the morning gig market crowd
    (10, (5, 6), "07:00", "19:00"),  # weekends only, besides a regular job
    (10, range(7), "12:00", "22:00"),
)


def has_data(*, session: Session) -> bool:
    """True when the database has any account (the demo is then not added)."""
    return session.exec(select(User.id).limit(1)).first() is not None


def _scatter(rng: random.Random, lat: float, lon: float, km: float) -> tuple[float, float]:
    dist = abs(rng.gauss(0, km))
    angle = rng.uniform(0, 2 * math.pi)
    dlat = dist * math.cos(angle) / 111.0
    dlon = dist * math.sin(angle) / (111.0 * math.cos(math.radians(lat)))
    return round(lat + dlat, 5), round(lon + dlon, 5)


def _pick(rng: random.Random, items: list[T], weights: list[int]) -> T:
    return rng.choices(items, weights=weights, k=1)[0]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


class _Seeder:
    def __init__(self, session: Session, seed: int) -> None:
        self.session, self.rng = session, random.Random(seed)
        self.now = utcnow().replace(microsecond=0)
        self.password_hash = account_service.hash_password(PASSWORD)  # once: argon2 is slow
        self.workers: list[User] = []
        self.employers: list[User] = []

    # ------------------------------------------------------------ people

    def account(self, phone: str, name: str, role: Role, org_name: str = "") -> User:
        """A demo account: all share one password, so its hash is computed once."""
        user = User(phone=phone, password_hash=self.password_hash, role=role, name=name)
        self.session.add(user)
        self.session.flush()
        assert user.id is not None
        if role is Role.worker:
            self.session.add(WorkerProfile(user_id=user.id))
        elif role is Role.employer:
            verified = self.rng.random() < 0.7
            self.session.add(EmployerProfile(user_id=user.id, org_name=org_name, verified=verified))
        event_record(session=self.session, kind="user.registered", payload={"role": role.value})
        self.session.flush()
        return user

    def profile(self, worker: User, district: District, trades: list[TradeLevel]) -> None:
        rng = self.rng
        lat, lon = _scatter(rng, district.lat, district.lon, district.spread_km)
        certificates = set()
        for t in trades:
            legal = {"electrician": "electrician", "welder": "welder", "forklift": "forklift"}
            if t.code in legal and rng.random() < 0.85:
                certificates.add(legal[t.code])
            if t.code in ("cook", "kitchen_helper", "caregiver") or rng.random() < 0.1:
                certificates.add("health")
            if t.code in ("electrician", "welder", "painter") and rng.random() < 0.3:
                certificates.add("work_at_height")
        _, days, start, end = _pick(rng, list(PATTERNS), [p[0] for p in PATTERNS])
        low = TRADES[trades[0].code][2][0]
        worker_service.worker_profile_update(
            session=self.session,
            worker=worker,
            data=WorkerProfileUpdate(
                home_lat=lat,
                home_lon=lon,
                district=district.name,
                radius_km=rng.choice((5, 8, 10, 10, 15, 15, 20, 30)),
                min_wage=0 if rng.random() < 0.5 else int(low * 0.8) // 10 * 10,
                trades=trades,
                certificates=sorted(certificates),
                weekly=[WeeklyWindow(weekday=d, start=start, end=end) for d in days],
            ),
            now=self.now,
        )

    def bulk_workers(self, count: int) -> None:
        rng = self.rng
        codes = list(TRADES)
        for i in range(count):
            district = _pick(rng, list(DISTRICTS), [d.workers for d in DISTRICTS])
            if district.name == "蓬莱区" and rng.random() < 0.5:
                first = "farmhand"
            else:
                first = _pick(rng, codes, [TRADES[c][0] for c in codes])
            trades = [TradeLevel(code=first, level=rng.choice((1, 1, 2, 2, 3)))]
            if rng.random() < 0.35:
                second = _pick(rng, codes, [TRADES[c][0] for c in codes])
                if second != first:
                    trades.append(TradeLevel(code=second, level=1))
            worker = self.account(f"137{i + 1:08d}", _name(rng), Role.worker)
            self.profile(worker, district, trades)
            self.workers.append(worker)

    def bulk_employers(self, count: int) -> None:
        for i in range(count):
            org = self.rng.choice(ORG_WORDS) + self.rng.choice(ORG_KINDS)
            name = self.rng.choice(SURNAMES) + self.rng.choice(("经理", "老板", "主管", "师傅"))
            self.employers.append(self.account(f"136{i + 1:08d}", name, Role.employer, org))

    # ------------------------------------------------------------ jobs

    def job_data(
        self,
        *,
        trade: str,
        district: District,
        day: int,
        hour: int,
        hours: int,
        near: tuple[float, float] | None = None,
    ) -> JobCreate:
        rng = self.rng
        tz = market_tz()
        date = self.now.astimezone(tz).date() + timedelta(days=day)
        start = datetime(date.year, date.month, date.day, hour, tzinfo=tz)
        lat, lon = _scatter(rng, *(near or (district.lat, district.lon)), district.spread_km)
        low, high = TRADES[trade][2]
        wide = trade in ("general", "mover", "loader", "cleaner", "sorter", "farmhand")
        street = rng.choice(district.streets)
        return JobCreate(
            trade=trade,
            title=rng.choice(TRADES[trade][3]),
            description="管一顿午饭，当天结算工钱" if rng.random() < 0.5 else "",
            lat=lat,
            lon=lon,
            address=f"烟台市{district.name}{street}{rng.randint(1, 300)}号",
            district=district.name,
            start_at=start,
            end_at=start + timedelta(hours=hours),
            headcount=rng.randint(2, 8) if wide else rng.randint(1, 3),
            wage=rng.randrange(low, high + 1, 10),
            certificates=["health"] if trade == "cook" else [],
            instant=rng.random() < 0.3,
        )

    def random_job(self, *, day: int, posted: datetime) -> Job:
        rng = self.rng
        codes = list(TRADES)
        trade = _pick(rng, codes, [TRADES[c][1] for c in codes])
        district = _pick(rng, list(DISTRICTS), [d.jobs for d in DISTRICTS])
        data = self.job_data(
            trade=trade,
            district=district,
            day=day,
            hour=rng.choice((6, 7, 7, 8, 8, 9, 13)),
            hours=rng.choice((4, 8, 8, 9, 10)),
        )
        return job_service.job_post(
            session=self.session, employer=rng.choice(self.employers), data=data, now=posted
        )

    def candidates(self, job: Job, k: int, now: datetime) -> list[User]:
        found = feed_service.list_candidates(session=self.session, job=job, k=k, now=now)
        return [c.view.user for c in found]

    def hire(self, job: Job, worker: User, now: datetime) -> Application | None:
        """Apply and, unless the claim was the hire, be confirmed; None when refused."""
        try:
            claim = application_service.application_claim(
                session=self.session, job_id=job.id or 0, worker=worker, now=now
            )
            application = claim.application
            if application.status == "applied":
                employer = self.session.get(User, job.employer_id)
                assert employer is not None
                application_service.application_confirm(
                    session=self.session, application=application, employer=employer, now=now
                )
            return application
        except DomainError:
            return None


def seed_demo(*, session: Session, seed: int = 7, workers: int = 400) -> dict[str, int]:
    """Fill an empty database with the demo market; returns how many of each were made."""
    s = _Seeder(session, seed)
    me = account_service.user_register(
        session=session,
        data=Registration(phone=DEMO_WORKER, password=PASSWORD, name="王建国", role="worker"),
    )
    boss = account_service.user_register(
        session=session,
        data=Registration(
            phone=DEMO_EMPLOYER,
            password=PASSWORD,
            name="张经理",
            role="employer",
            org_name="烟台港城物流有限公司",
        ),
    )
    account_service.staff_create(
        session=session, phone=DEMO_STAFF, password=PASSWORD, name="工会小刘"
    )
    worker_service.worker_profile_update(  # near the gig market, free every day 06:00–20:00
        session=session,
        worker=me,
        data=WorkerProfileUpdate(
            home_lat=GIG_MARKET[0] + 0.004,
            home_lon=GIG_MARKET[1] + 0.006,
            radius_km=15,
            min_wage=180,
            trades=[TradeLevel(code="general", level=2), TradeLevel(code="mover", level=2)],
            certificates=[],
            weekly=[WeeklyWindow(weekday=d, start="06:00", end="20:00") for d in range(7)],
        ),
        now=s.now,
    )
    s.bulk_employers(max(12, workers // 10))
    s.employers.append(boss)
    s.bulk_workers(max(0, workers - 1))
    _history(s, me)
    upcoming = _upcoming(s, me, boss)
    station_service.stations_seed(session=session)
    return _counts(session, upcoming)


def _history(s: _Seeder, me: User) -> None:
    """Past two weeks: completed gigs with ratings, and the odd no-show."""
    rng = s.rng
    unpaid_for_me = 1  # the demo worker's 我的工钱 shows one employer still owing
    for n in range(30):
        day = -rng.randint(1, 14)
        posted = s.now + timedelta(days=day - 2)
        job = s.random_job(day=day, posted=posted)
        hired_at = posted + timedelta(hours=2)
        people = ([me] if n < 3 and job.trade in ("general", "mover", "loader") else []) + [
            w for w in s.candidates(job, job.headcount, hired_at) if w.id != me.id
        ]
        hires = [a for w in people[: job.headcount] if (a := s.hire(job, w, hired_at))]
        after = job.end_at + timedelta(minutes=30)
        employer = s.session.get(User, job.employer_id)
        assert employer is not None
        if hires and rng.random() < 0.15:
            application_service.application_no_show(
                session=s.session, application=hires.pop(), employer=employer, now=after
            )
        job_service.job_complete(session=s.session, job=job, now=after)
        for application in hires:
            s.session.refresh(application)
            worker = s.session.get(User, application.worker_id)
            assert worker is not None
            unpaid = (worker.id == me.id and unpaid_for_me > 0) or rng.random() < 0.04
            if unpaid and worker.id == me.id:
                unpaid_for_me -= 1
            _work_record(s, application, job, employer, worker, paid=not unpaid)
            for rater in (employer, worker):
                if rng.random() < 0.8:
                    application_service.rating_create(
                        session=s.session,
                        application=application,
                        rater=rater,
                        stars=rng.choice((3, 4, 4, 5, 5, 5)),
                        comment=rng.choice(("", "干活利索", "准时到岗", "结账痛快")),
                    )


def _work_record(
    s: _Seeder, application: Application, job: Job, employer: User, worker: User, *, paid: bool
) -> None:
    """Attendance the employer kept for the worker, and the day's pay the worker confirmed."""
    after = job.end_at + timedelta(minutes=30)
    late, early = (timedelta(minutes=s.rng.randint(0, 10)) for _ in range(2))
    for kind, at in (("check_in", job.start_at + late), ("check_out", job.end_at - early)):
        work_service.attendance_record(
            session=s.session,
            application=application,
            user=employer,
            kind=kind,
            data=CheckIn(at=at),
            now=after,
        )
    if not paid:
        return
    method = s.rng.choice(("wechat", "wechat", "cash", "alipay", "bank"))
    payment = work_service.payment_record(
        session=s.session,
        application=application,
        user=employer,
        data=PaymentCreate(amount=job.wage, method=method, paid_at=after),
        now=after,
    )
    work_service.payment_confirm(
        session=s.session, payment=payment, user=worker, now=after + timedelta(hours=1)
    )


def _upcoming(s: _Seeder, me: User, boss: User) -> list[Job]:
    """The next seven days: open jobs, some hires, pending applications, one cancellation."""
    rng = s.rng
    jobs: list[Job] = []
    near_me = DISTRICTS[0]
    for day, hour in ((1, 7), (2, 8), (3, 7), (4, 13), (5, 8), (6, 7)):  # work near the demo worker
        trade = ("general", "mover", "loader")[day % 3]
        data = s.job_data(
            trade=trade, district=near_me, day=day, hour=hour, hours=8, near=GIG_MARKET
        )
        data = data.model_copy(update={"wage": max(data.wage, 200), "instant": False})
        jobs.append(job_service.job_post(session=s.session, employer=boss, data=data, now=s.now))
    assert s.hire(jobs[2], me, s.now)  # the demo worker's own confirmed gig, with contact details
    application_service.application_claim(
        session=s.session, job_id=jobs[4].id or 0, worker=me, now=s.now
    )
    for _ in range(rng.randint(44, 56)):
        jobs.append(s.random_job(day=rng.randint(1, 6), posted=s.now))
    hires = 0
    for job in jobs[6:]:
        roll = rng.random()
        people = [w for w in s.candidates(job, 4, s.now) if w.id != me.id]
        if roll < 0.25 and people:  # a hire or two already made
            hires += sum(1 for w in people[: min(2, job.headcount)] if s.hire(job, w, s.now))
        elif roll < 0.6:  # applicants waiting for the employer
            for worker in people[: rng.randint(1, 3)]:
                with contextlib.suppress(DomainError):  # a clash or a full job: they move on
                    application_service.application_claim(
                        session=s.session, job_id=job.id or 0, worker=worker, now=s.now
                    )
    job_service.job_cancel(session=s.session, job=jobs[-1], reason="天气原因，工地停工", now=s.now)
    return jobs


def _counts(session: Session, upcoming: list[Job]) -> dict[str, int]:
    def count(model: Any, *where: Any) -> int:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())

    return {
        "workers": count(WorkerProfile),
        "employers": count(EmployerProfile),
        "jobs": count(Job),
        "upcoming_jobs": len(upcoming),
        "open_jobs": count(Job, col(Job.status).in_(("open", "filled"))),
        "applications": count(Application),
        "hires": count(Application, Application.status == "confirmed"),
        "ratings": count(Rating),
        "stations": count(Station),
        "events": count(Event),
    }
