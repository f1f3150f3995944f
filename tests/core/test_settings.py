"""Configuration: typed environment helpers, the production guard, check --deploy, health."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from gongkai import env

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "x7!Kq2#pLm9$wR4^tY6&uI8*oP0(aS3)dF5-gH1=jK7+zX9cV2bN4mQ8eW6rT0yU"


def _manage(*args: str, **environ: str) -> subprocess.CompletedProcess:
    dropped = (
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "GONGKAI_ENV",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    )  # set by e2e tests
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **environ},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("value,expected", [("true", True), ("1", True), ("off", False), ("", False)])
def test_env_bool_parses(monkeypatch, value, expected):
    monkeypatch.setenv("X_FLAG", value)
    assert env.env_bool("X_FLAG", not expected) is expected


def test_env_helpers_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env.env_bool("X_FLAG", False)
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env.env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(ImproperlyConfigured):
        env.env_int("X_NUM", 1, minimum=1)
    monkeypatch.setenv("X_CHOICE", "staging")
    with pytest.raises(ImproperlyConfigured):
        env.env_choice("X_CHOICE", "a", ("a", "b"))


def test_secrets_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.delenv("X_SECRET", raising=False)
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env.env_str("X_SECRET", "") == "s3cret"


@pytest.mark.parametrize(
    "environ,needle",
    [
        ({"DEBUG": "true", "SECRET_KEY": GOOD_SECRET, "ALLOWED_HOSTS": "gov.example"}, "DEBUG"),
        ({"ALLOWED_HOSTS": "gov.example"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_SECRET}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_unsafe_settings(environ, needle):
    result = _manage("check", GONGKAI_ENV="production", **environ)
    assert result.returncode != 0
    assert "refuses to start" in result.stderr and needle in result.stderr


def test_production_settings_pass_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", GONGKAI_ENV="production",
                     SECRET_KEY=GOOD_SECRET, ALLOWED_HOSTS="gov.example",
                     REDIS_URL="redis://127.0.0.1:6379/3")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_that_without_redis_every_process_counts_on_its_own():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", GONGKAI_ENV="production",
                     SECRET_KEY=GOOD_SECRET, ALLOWED_HOSTS="gov.example", REDIS_URL="")  # fmt: skip
    assert result.returncode != 0 and "gongkai.W001" in result.stdout + result.stderr


def test_pgbouncer_mode_turns_off_server_side_cursors_and_prepared_statements():
    result = _manage(
        "shell", "--no-imports", "-c",
        "from django.db import connection as c; "
        "print(c.settings_dict['DISABLE_SERVER_SIDE_CURSORS'], c.settings_dict['OPTIONS']['prepare_threshold'])",
        DATABASE_URL="postgres://nobody@127.0.0.1:5432/none", DB_PGBOUNCER="true",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "None"]


def test_s3_media_storage_needs_a_bucket():
    result = _manage("check", MEDIA_STORAGE="s3", S3_BUCKET="")
    assert result.returncode != 0 and "S3_BUCKET" in result.stderr


def test_a_malformed_database_url_is_refused():
    result = _manage("check", DATABASE_URL="mysql://nobody@localhost/x")
    assert result.returncode != 0 and "DATABASE_URL" in result.stderr


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_pages_carry_security_headers(client):
    response = client.get("/office/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_console_script_wraps_manage_py():
    result = subprocess.run([str(Path(sys.executable).parent / "gongkai"), "help", "calendar"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0 and "seed" in result.stdout


def test_env_example_lists_every_variable_the_settings_read():
    import re

    settings_src = (ROOT / "gongkai" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env_(?:str|bool|int|list|choice)\("([A-Z_]+)"', settings_src))
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#? ?([A-Z_]+)=", example, flags=re.M))
    assert names and names <= listed, sorted(names - listed)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(f"`{n}`" in readme for n in names), sorted(n for n in names if f"`{n}`" not in readme)


@pytest.mark.django_db
def test_createadmin_creates_an_audited_platform_administrator(monkeypatch):
    from django.core.management import CommandError, call_command

    from gongkai.accounts.models import User
    from gongkai.audit.models import AuditEvent

    monkeypatch.setenv("GONGKAI_ADMIN_PASSWORD", "Plenty-long-9")
    call_command("createadmin", "chief", stdout=__import__("io").StringIO())
    user = User.objects.get(username="chief")
    assert user.is_superuser and user.check_password("Plenty-long-9")
    assert AuditEvent.objects.filter(verb="accounts.create_platform_admin", object_id=str(user.pk)).exists()
    monkeypatch.setenv("GONGKAI_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command("createadmin", "weak")
    assert not User.objects.filter(username="weak").exists()


@pytest.mark.django_db
def test_errors_render_the_sites_own_pages(world, client, settings):
    settings.DEBUG = False
    client.force_login(world.clerk_a)
    response = client.get(f"/office/organisations/{world.unit_b.pk}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and world.unit_b.name not in body
    client.force_login(world.citizen)
    response = client.get("/office/")
    assert response.status_code == 403 and "无权操作" in response.content.decode()
    csrf_client = type(client)(enforce_csrf_checks=True)
    response = csrf_client.post("/office/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403 and "表单已失效" in response.content.decode()


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_redis_as_503(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": settings.REDIS_URL,
                                   "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1}}}  # fmt: skip
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "ok" and response.json()["cache"] == "unreachable"
