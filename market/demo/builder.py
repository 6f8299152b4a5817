"""The market builder: believable people and jobs in Yantai, made through the services.

Workers and employers live around the centres of the city's districts (`geography`);
trades come in the proportions of a roadside gig market (many labourers, movers and
cleaners, fewer electricians and welders); jobs are paid the day rates paid there. The
demo market (`seed`) is built with it, and so is the market the load benchmark runs
against. Every change goes through the services, so each has its event. Same seed, same
market.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import TypeVar

from sqlmodel import Session

from market.accounts import credit_code
from market.accounts import service as account_service
from market.applications import service as application_service
from market.demo.geography import MARKET_DISTRICTS, District
from market.errors import DomainError
from market.events.service import event_record
from market.feed import candidates as candidate_service
from market.i18n import market_tz
from market.jobs import service as job_service
from market.jobs.schemas import JobCreate
from market.models import Application, EmployerProfile, Job, Role, User, WorkerProfile
from market.types import utcnow
from market.workers import service as worker_service
from market.workers.schemas import TradeLevel, WeeklyWindow, WorkerProfileUpdate

T = TypeVar("T")

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
# trades where one posting takes a crew rather than one or two hands
CREW_TRADES = ("general", "mover", "loader", "cleaner", "sorter", "farmhand")
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


def scatter(rng: random.Random, lat: float, lon: float, km: float) -> tuple[float, float]:
    """A point about `km` from (lat, lon) in a random direction, rounded to ~1 m."""
    dist = abs(rng.gauss(0, km))
    angle = rng.uniform(0, 2 * math.pi)
    dlat = dist * math.cos(angle) / 111.0
    dlon = dist * math.sin(angle) / (111.0 * math.cos(math.radians(lat)))
    return round(lat + dlat, 5), round(lon + dlon, 5)


def pick(rng: random.Random, items: list[T], weights: list[int]) -> T:
    """One of `items`, drawn by weight."""
    return rng.choices(items, weights=weights, k=1)[0]


def person_name(rng: random.Random) -> str:
    """A common Chinese name: a surname and one or two given characters."""
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def job_create(
    rng: random.Random,
    *,
    now: datetime,
    trade: str,
    district: District,
    day: int,
    hour: int,
    hours: int,
    near: tuple[float, float] | None = None,
) -> JobCreate:
    """An opening in `district` (around `near` if given), `day` days from `now`'s date."""
    tz = market_tz()
    date = now.astimezone(tz).date() + timedelta(days=day)
    start = datetime(date.year, date.month, date.day, hour, tzinfo=tz)
    lat, lon = scatter(rng, *(near or (district.lat, district.lon)), district.spread_km)
    low, high = TRADES[trade][2]
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
        headcount=rng.randint(2, 8) if trade in CREW_TRADES else rng.randint(1, 3),
        wage=rng.randrange(low, high + 1, 10),
        certificates=["health"] if trade == "cook" else [],
        instant=rng.random() < 0.3,
    )


def job_district(rng: random.Random) -> District:
    """A district drawn by its share of the market's jobs."""
    return pick(rng, list(MARKET_DISTRICTS), [d.jobs for d in MARKET_DISTRICTS])


class MarketBuilder:
    """Adds people and jobs to a session, all from one random seed."""

    def __init__(self, session: Session, *, seed: int, password: str) -> None:
        self.session, self.rng = session, random.Random(seed)
        self.now = utcnow().replace(microsecond=0)
        self.password_hash = account_service.hash_password(password)  # once: argon2 is slow
        self.workers: list[User] = []
        self.employers: list[User] = []

    # ------------------------------------------------------------ people

    def account(self, phone: str, name: str, role: Role, org_name: str = "") -> User:
        """An account with the builder's password (its hash is computed once)."""
        user = User(phone=phone, password_hash=self.password_hash, role=role, name=name)
        self.session.add(user)
        self.session.flush()
        assert user.id is not None
        if role is Role.worker:
            self.session.add(WorkerProfile(user_id=user.id))
        elif role is Role.employer:
            verified = self.rng.random() < 0.7
            first17 = f"913706{user.id:011d}"  # a made-up code that passes its check
            profile = EmployerProfile(
                user_id=user.id,
                org_name=org_name,
                verified=verified,
                credit_code=first17 + credit_code.check_character(first17),
            )
            self.session.add(profile)
        event_record(session=self.session, kind="user.registered", payload={"role": role.value})
        self.session.flush()
        return user

    def worker_profile(self, worker: User, district: District, trades: list[TradeLevel]) -> None:
        """Home in `district`, the certificates the trades call for, a weekly pattern."""
        rng = self.rng
        lat, lon = scatter(rng, district.lat, district.lon, district.spread_km)
        certificates = set()
        for t in trades:
            legal = {"electrician": "electrician", "welder": "welder", "forklift": "forklift"}
            if t.code in legal and rng.random() < 0.85:
                certificates.add(legal[t.code])
            if t.code in ("cook", "kitchen_helper", "caregiver") or rng.random() < 0.1:
                certificates.add("health")
            if t.code in ("electrician", "welder", "painter") and rng.random() < 0.3:
                certificates.add("work_at_height")
        _, days, start, end = pick(rng, list(PATTERNS), [p[0] for p in PATTERNS])
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

    def add_workers(self, count: int) -> None:
        """`count` workers spread over the districts by their share of workers."""
        rng = self.rng
        codes = list(TRADES)
        for i in range(count):
            district = pick(rng, list(MARKET_DISTRICTS), [d.workers for d in MARKET_DISTRICTS])
            if district.name == "蓬莱区" and rng.random() < 0.5:
                first = "farmhand"
            else:
                first = pick(rng, codes, [TRADES[c][0] for c in codes])
            trades = [TradeLevel(code=first, level=rng.choice((1, 1, 2, 2, 3)))]
            if rng.random() < 0.35:
                second = pick(rng, codes, [TRADES[c][0] for c in codes])
                if second != first:
                    trades.append(TradeLevel(code=second, level=1))
            worker = self.account(f"137{i + 1:08d}", person_name(rng), Role.worker)
            self.worker_profile(worker, district, trades)
            self.workers.append(worker)

    def add_employers(self, count: int) -> None:
        """`count` employers: firms, service centres and co-operatives of the city."""
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
        """An opening `day` days from today (see `job_create`)."""
        return job_create(
            self.rng,
            now=self.now,
            trade=trade,
            district=district,
            day=day,
            hour=hour,
            hours=hours,
            near=near,
        )

    def random_job(self, *, day: int, posted: datetime) -> Job:
        """A job of the market's trade mix, posted at `posted` by one of the employers."""
        rng = self.rng
        codes = list(TRADES)
        trade = pick(rng, codes, [TRADES[c][1] for c in codes])
        data = self.job_data(
            trade=trade,
            district=job_district(rng),
            day=day,
            hour=rng.choice((6, 7, 7, 8, 8, 9, 13)),
            hours=rng.choice((4, 8, 8, 9, 10)),
        )
        return job_service.job_post(
            session=self.session, employer=rng.choice(self.employers), data=data, now=posted
        )

    def candidates(self, job: Job, k: int, now: datetime) -> list[User]:
        """The job's `k` best-ranked candidates."""
        found = candidate_service.list_candidates(session=self.session, job=job, k=k, now=now)
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
