"""Configuration, only from `LINGGONG_*` environment variables, read through a cached getter."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "dev-insecure-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LINGGONG_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./var/linggong.db"
    redis_url: str | None = None
    secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    timezone: str = "Asia/Shanghai"
    default_locale: str = "zh_CN"
    session_idle_minutes: int = 60 * 24 * 7
    session_absolute_days: int = 30
    feed_radius_cap_km: float = 50.0
    max_request_bytes: int = 256 * 1024
    tile_url: str = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"


@lru_cache
def get_settings() -> Settings:
    """The process's settings; tests clear the cache after changing the environment."""
    return Settings()
