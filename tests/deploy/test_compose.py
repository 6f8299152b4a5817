"""docker-compose.yml cannot run here (no Docker engine): check its pieces for real instead."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from market.settings import Settings
from web.cli import build_parser
from web.live.config import LiveSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
APPS = [name for name, s in SERVICES.items() if s.get("command", [])[:2] == ["linggong", "serve"]]


def test_compose_runs_two_app_replicas_behind_nginx_with_postgres_and_redis() -> None:
    assert len(APPS) >= 2
    assert {"postgres", "redis", "nginx", "migrate", "backup"} <= SERVICES.keys()
    upstream = (ROOT / "deploy/nginx/upstream.conf").read_text()
    assert all(f"server {app}:8000" in upstream for app in APPS)
    for volume in SERVICES["nginx"]["volumes"]:
        assert (ROOT / volume.split(":")[0]).exists(), volume


def test_every_long_running_service_has_a_health_check() -> None:
    for name, service in SERVICES.items():
        if name == "migrate":
            assert service["restart"] == "no"
            continue
        assert "test" in service["healthcheck"], name


def test_replicas_start_only_after_the_migration_finished() -> None:
    for app in APPS:
        assert (
            SERVICES[app]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )


def test_the_backup_service_dumps_the_compose_database_into_its_own_volume() -> None:
    backup, postgres = SERVICES["backup"], SERVICES["postgres"]
    assert backup["image"] == postgres["image"]  # pg_dump of the server's own version
    assert backup["restart"] == "unless-stopped"
    assert backup["depends_on"]["postgres"]["condition"] == "service_healthy"
    script = ROOT / "deploy/backup/backup.sh"
    mounts = dict(volume.split(":")[:2] for volume in backup["volumes"])  # source: target
    inside = mounts["./deploy/backup/backup.sh"]
    assert script.is_file() and os.access(script, os.X_OK)
    assert backup["entrypoint"] == ["/bin/sh", inside]
    assert backup["command"] == ["loop"]
    assert backup["healthcheck"]["test"] == ["CMD", "/bin/sh", inside, "check"]
    env = backup["environment"]
    assert env["PGHOST"] == "postgres"
    assert (env["PGUSER"], env["PGDATABASE"]) == (
        postgres["environment"]["POSTGRES_USER"], postgres["environment"]["POSTGRES_DB"],
    )  # fmt: skip
    assert env["PGPASSWORD"] == postgres["environment"]["POSTGRES_PASSWORD"]
    read = set(re.findall(r"\b(BACKUP_[A-Z_]+)=", script.read_text()))
    assert {k for k in env if k.startswith("BACKUP_")} <= read
    volume = next(source for source, target in mounts.items() if target == env["BACKUP_DIR"])
    assert volume in COMPOSE["volumes"] and volume != "pgdata"  # named, kept, not the data's


def test_app_commands_are_commands_the_app_knows() -> None:
    parser = build_parser()
    for name in [*APPS, "migrate"]:
        command = SERVICES[name]["command"]
        assert command[0] == "linggong"
        parser.parse_args(command[1:])  # exits (fails the test) on an unknown command


def test_every_linggong_variable_is_a_real_setting() -> None:
    known = {f"LINGGONG_{f.upper()}" for f in Settings.model_fields}
    known |= {f"LINGGONG_LIVE_{f.upper()}" for f in LiveSettings.model_fields}
    for app in APPS:
        names = {k for k in SERVICES[app]["environment"] if k.startswith("LINGGONG_")}
        assert names <= known, names - known


def test_env_example_documents_every_variable_compose_reads() -> None:
    wanted = set(re.findall(r"\$\{(\w+)", (ROOT / "docker-compose.yml").read_text()))
    documented = set(re.findall(r"^(\w+)=", (ROOT / ".env.example").read_text(), re.M))
    assert wanted <= documented, wanted - documented


@pytest.mark.postgres
def test_the_migrate_service_command_migrates_an_empty_postgres_database(
    postgres_server: Any,
) -> None:
    name = f"lg_compose_{uuid.uuid4().hex[:10]}"
    url = postgres_server.create(name)
    try:
        env = {**os.environ, "LINGGONG_DATABASE_URL": url, "LINGGONG_ENVIRONMENT": "production"}
        env["LINGGONG_SECRET_KEY"] = "s" * 48
        env["LINGGONG_ID_KEY"] = "2d7fAm5_cfRrLGqrC9Vi2jFqmJPmg0GsDR3vRH8RnZk="
        command = SERVICES["migrate"]["command"]
        done = subprocess.run(
            [sys.executable, "-m", "web.cli", *command[1:]], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        again = subprocess.run(
            [sys.executable, "-m", "web.cli", *command[1:]], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert again.returncode == 0, again.stderr  # a restarted stack migrates idempotently
    finally:
        postgres_server.drop(name)


def test_production_start_refuses_the_placeholder_secret() -> None:
    env = {**os.environ, "LINGGONG_ENVIRONMENT": "production"}
    env.pop("LINGGONG_SECRET_KEY", None)
    done = subprocess.run(
        [sys.executable, "-m", "web.cli", "migrate"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert "LINGGONG_SECRET_KEY" in done.stderr
