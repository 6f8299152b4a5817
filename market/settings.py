"""Configuration, only from `LINGGONG_*` environment variables, read through a cached getter."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "dev-insecure-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LINGGONG_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./var/linggong.db"
    redis_url: str | None = None
    secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    # the Fernet key (`Fernet.generate_key()`) that encrypts workers' ID numbers at rest;
    # outside production a key derived from the secret key stands in (market/workers/identity.py)
    id_key: SecretStr | None = None
    timezone: str = "Asia/Shanghai"
    default_locale: str = "zh_CN"
    session_idle_minutes: int = 60 * 24 * 7
    session_absolute_days: int = 30
    feed_radius_cap_km: float = 50.0
    # the morning dispatch's order: "hiring_hall" (most slots, then those idle longest, then
    # the best fits) or "score" (most slots, then the best fits): a union may weaken the rotation
    dispatch_rotation: Literal["hiring_hall", "score"] = "hiring_hall"
    # feeds ranked from each replica's in-memory read model of the open jobs, kept current
    # from the event stream (market/feed/readmodel.py); "off" reads the database each time
    # (tests whose data lives in a rolled-back transaction the model cannot see)
    feed_read_model: Literal["on", "off"] = "on"
    # each replica solves the open jobs' slot prices from its read model this often (at
    # least ten times as long as a solve takes), and feeds lean by them (market/feed/prices.py);
    # 0: never, feeds lean by the pending applications
    prices_seconds: float = Field(default=60.0, ge=0)
    # the chance that the feed swaps a pair of adjacent cards (market/learning): what lets
    # the learning loop tell a good job from a high slot; 0 turns the swaps off
    learn_explore: float = Field(default=0.05, ge=0, le=0.5)
    max_request_bytes: int = 256 * 1024
    # addresses whose X-Forwarded-For is believed: the reverse proxy's, never "*" if exposed
    forwarded_allow_ips: str = "127.0.0.1"
    # /metrics answers loopback, or a scraper sending "Authorization: Bearer <this token>"
    metrics_token: SecretStr | None = None
    # the staff statistics rollup is refreshed this often by each app replica (0: never,
    # e.g. when `linggong stats-refresh` runs from cron instead)
    stats_refresh_seconds: float = 60.0
    # a finished shift not confirmed paid this many days after it ended opens an arrears
    # case in the staff queue by itself (the sweep runs with the statistics refresh)
    arrears_days: int = Field(default=3, ge=0, le=90)
    # per-user and per-address limits on sign-up, reports, job posts and claims
    # (web/security/rate_limits.py): "off" only for tests and benches that are not about
    # limits and send everything from one address; overrides map a limit's name to a rate
    # such as "5/hour" (tests use small ones)
    rate_limits: Literal["on", "off"] = "on"
    rate_limit_overrides: dict[str, str] = Field(default_factory=dict)
    # traces over OTLP/HTTP (web/tracing.py), off unless one of these is set: ours is the
    # collector's base URL ("http://otel-collector:4318"); the standard variables work too
    otel_endpoint: str | None = None
    otel_traces_endpoint: str | None = Field(
        default=None, validation_alias="OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    )
    otel_base_endpoint: str | None = Field(
        default=None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    # notifications: the outbox is turned into notifications and push messages sent this
    # often by each app replica (0: never, e.g. when `linggong notify` runs from cron)
    notify_seconds: float = 5.0
    # Web Push: the VAPID key (base64url of its DER, or PEM; `linggong
    # vapid-keys` makes one; unset outside production: made once into var/vapid.key)
    vapid_private_key: SecretStr | None = None
    vapid_subject: str = "mailto:support@linggong.invalid"
    # the server posts to a subscription's endpoint: only to these push services' hosts
    push_hosts: list[str] = Field(
        default_factory=lambda: [
            "fcm.googleapis.com",
            "push.services.mozilla.com",
            "notify.windows.com",
            "push.apple.com",
        ]
    )
    # where text messages go: "log" writes them to the console and the sms_message table
    # (development and tests; staff can read them); "aliyun" sends through Aliyun Dysms
    sms_provider: Literal["log", "aliyun"] = "log"
    sms_endpoint: str = "https://dysmsapi.aliyuncs.com/"
    sms_access_key_id: str = ""
    sms_access_key_secret: SecretStr | None = None
    sms_sign_name: str = "零工"
    # our template ids (market/notifications/sms.py TEMPLATES) -> the gateway's registered
    # codes, as JSON: {"hired": "SMS_123456789", ...}
    sms_templates: dict[str, str] = Field(default_factory=dict)
    # one-time codes that prove a phone is held (sign-up, password reset): how many one
    # phone may be sent in an hour, whatever asked for them
    phone_codes_per_hour: int = Field(default=5, ge=1, le=100)
    tile_url: str = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"

    @model_validator(mode="after")
    def _real_secret_in_production(self) -> Settings:
        secret = self.secret_key.get_secret_value()
        if self.environment == "production" and (secret == PLACEHOLDER_SECRET or len(secret) < 32):
            raise ValueError(
                "LINGGONG_SECRET_KEY must be set to a random value of 32+ characters in production"
            )
        if self.sms_provider == "aliyun" and not (
            self.sms_access_key_id and self.sms_access_key_secret and self.sms_templates
        ):
            raise ValueError(
                "LINGGONG_SMS_PROVIDER=aliyun needs LINGGONG_SMS_ACCESS_KEY_ID, "
                "LINGGONG_SMS_ACCESS_KEY_SECRET and LINGGONG_SMS_TEMPLATES"
            )
        if self.environment == "production" and self.id_key is None:
            raise ValueError("LINGGONG_ID_KEY must be set in production (a Fernet key)")
        if self.id_key is not None:
            _check_fernet_key(self.id_key.get_secret_value())
        return self


def _check_fernet_key(key: str) -> None:
    from cryptography.fernet import Fernet

    try:
        Fernet(key)
    except ValueError:
        raise ValueError(
            "LINGGONG_ID_KEY must be a Fernet key: 32 bytes in URL-safe base64"
        ) from None


@lru_cache
def get_settings() -> Settings:
    """The process's settings; tests clear the cache after changing the environment."""
    return Settings()
