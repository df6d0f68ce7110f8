"""Settings on both backends, checked in fresh processes so that the environment is real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE_MONGO = "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a fresh interpreter with extra environment variables."""
    full_env = {**os.environ, "MONGO_URI": "", "DATABASE_URL": "", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_snapshot(**env: str) -> dict:
    """Return a few computed settings as seen by a fresh process."""
    code = (
        "import django, json; from django.conf import settings; django.setup();"
        "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'],"
        "'host': settings.DATABASES['default'].get('HOST', ''),"
        "'name': str(settings.DATABASES['default']['NAME']),"
        "'options': settings.DATABASES['default'].get('OPTIONS', {}),"
        "'conn_max_age': settings.DATABASES['default'].get('CONN_MAX_AGE'),"
        "'apps': settings.INSTALLED_APPS,"
        "'migration_modules': getattr(settings, 'MIGRATION_MODULES', {}),"
        "'auto_field': settings.DEFAULT_AUTO_FIELD}))"
    )
    full_env = {
        **os.environ,
        "MONGO_URI": "",
        "DATABASE_URL": "",
        "DJANGO_SETTINGS_MODULE": "orchestration_site.settings",
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_it_uses_sqlite_when_no_mongo_uri_is_set(tmp_path):
    snapshot = settings_snapshot(SQLITE_PATH=str(tmp_path / "data" / "db.sqlite3"))
    assert snapshot["engine"] == "django.db.backends.sqlite3"
    assert snapshot["name"] == str(tmp_path / "data" / "db.sqlite3")
    assert "django.contrib.admin" in snapshot["apps"]
    assert snapshot["migration_modules"] == {}
    assert (tmp_path / "data").is_dir()


def test_it_uses_mongodb_with_object_id_apps_when_mongo_uri_is_set():
    snapshot = settings_snapshot(MONGO_URI=UNREACHABLE_MONGO, MONGO_DB_NAME="orchestration_test")
    assert snapshot["engine"] == "django_mongodb_backend"
    assert snapshot["host"] == UNREACHABLE_MONGO
    assert snapshot["name"] == "orchestration_test"
    assert "mongo_migrations.apps.MongoAdminConfig" in snapshot["apps"]
    assert "django.contrib.admin" not in snapshot["apps"]
    assert set(snapshot["migration_modules"]) == {"admin", "auth", "contenttypes"}
    assert snapshot["auto_field"] == "django_mongodb_backend.fields.ObjectIdAutoField"


UNREACHABLE_POSTGRES = "postgres://app:secret@127.0.0.1:1/orchestrator"


def test_it_uses_postgresql_with_a_statement_timeout_when_database_url_is_set():
    snapshot = settings_snapshot(DATABASE_URL=UNREACHABLE_POSTGRES, DB_STATEMENT_TIMEOUT_MS="1234")
    assert snapshot["engine"] == "django.db.backends.postgresql"
    assert (snapshot["host"], snapshot["name"]) == ("127.0.0.1", "orchestrator")
    assert snapshot["options"]["options"] == "-c statement_timeout=1234"
    assert snapshot["conn_max_age"] == 600
    assert "django.contrib.admin" in snapshot["apps"]
    assert snapshot["migration_modules"] == {}


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": UNREACHABLE_POSTGRES, "MONGO_URI": UNREACHABLE_MONGO}, "MONGO_URI"),
        ({"DATABASE_URL": "mysql://app:secret@127.0.0.1/orchestrator"}, "PostgreSQL"),
        ({"DATABASE_URL": UNREACHABLE_POSTGRES, "DB_STATEMENT_TIMEOUT_MS": "-5"}, "DB_STATEMENT"),
    ],
)
def test_a_database_configuration_error_says_what_is_wrong(env, named):
    done = run_manage("check", **env)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and named in done.stderr
    assert "DATABASE_URL" in done.stderr or "DB_STATEMENT" in done.stderr


def test_manage_check_passes_fast_with_an_unreachable_postgresql():
    started = time.monotonic()
    done = run_manage("check", DATABASE_URL=UNREACHABLE_POSTGRES)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 20


def test_migrations_match_the_models_on_postgresql_offline():
    done = run_manage("makemigrations", "--check", "--dry-run", DATABASE_URL=UNREACHABLE_POSTGRES)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No changes detected" in done.stdout


def test_the_original_env_names_configure_the_service():
    snapshot = settings_snapshot(
        MONGO_URI="mongodb://admin:admin123@mongodb:27017", MONGO_DB_NAME="ai_orchestration"
    )
    assert snapshot["engine"] == "django_mongodb_backend"
    assert snapshot["name"] == "ai_orchestration"


def test_manage_check_passes_fast_with_an_unreachable_mongodb():
    started = time.monotonic()
    done = run_manage("check", MONGO_URI=UNREACHABLE_MONGO)
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout
    assert time.monotonic() - started < 20


def test_migrations_match_the_models_on_sqlite(tmp_path):
    done = run_manage(
        "makemigrations", "--check", "--dry-run", SQLITE_PATH=str(tmp_path / "db.sqlite3")
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_migrations_match_the_models_on_mongodb_offline():
    started = time.monotonic()
    done = run_manage(
        "makemigrations", "--check", "--dry-run", MONGO_URI=UNREACHABLE_MONGO, MONGO_OFFLINE="1"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No changes detected" in done.stdout
    assert time.monotonic() - started < 20


@pytest.mark.parametrize(
    ("name", "value"),
    [("SHORT_TERM_K", "ten"), ("TOKEN_BUDGET", "5"), ("DEBUG", "maybe"), ("MAX_PROMPT_CHARS", "0")],
)
def test_a_bad_value_names_its_variable(name, value):
    done = run_manage("check", **{name: value})
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert name in done.stderr
