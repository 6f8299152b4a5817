"""The load market's job posts come from the demo's builder, in the demo's districts."""

from __future__ import annotations

import random

from bench.load.seed import COMMON_TRADES, job_data
from market.demo import geography
from market.types import utcnow


def test_load_job_posts_are_common_trades_in_the_market_districts() -> None:
    rng, now = random.Random(3), utcnow()
    titles = [f"title {k}" if k < 5 else "" for k in range(60)]
    posts = [job_data(rng, now=now, instant=k % 2 == 0, title=t) for k, t in enumerate(titles)]
    districts = {d.name: d for d in geography.MARKET_DISTRICTS}
    for k, post in enumerate(posts):
        assert post.trade in COMMON_TRADES and post.instant == (k % 2 == 0)
        assert post.title == (titles[k] or post.title) and post.title
        district = districts[post.district]
        assert post.address.startswith(f"烟台市{district.name}")
        assert abs(post.lat - district.lat) < 0.3 and abs(post.lon - district.lon) < 0.3
        assert post.start_at > now and post.headcount >= 2
    assert len({p.district for p in posts}) > 2
