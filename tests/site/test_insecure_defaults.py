"""Outside development the server refuses development secrets; production settings are clean."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.site.test_settings import ROOT, run_manage

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7Kq2mP9vR4tY8wZ1bN6cJ3hF5gD0sA-LeUiOoPaQwErTyUi_pAsDfGhJkLzXcVb",
    "DEV_AUTH_TOKEN": "a-long-random-service-key-for-the-trusted-backend-0123456789",
    "ALLOWED_HOSTS": "chat.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://chat.example.com",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
}


def start_server(**env: str) -> subprocess.CompletedProcess[str]:
    """Start the server entry point with `--help`-free arguments on port 1 (it must exit)."""
    return subprocess.run(
        [sys.executable, "-m", "orchestration_site.server", "-b", "127.0.0.1", "-p", "1"],
        cwd=ROOT,
        env={**os.environ, "MONGO_URI": "", "ALLOW_INSECURE_DEFAULTS": "", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_server_refuses_the_development_secret_key_with_debug_off():
    result = start_server(DEBUG="false", SECRET_KEY="", DEV_AUTH_TOKEN=PRODUCTION["DEV_AUTH_TOKEN"])
    assert result.returncode == 1
    assert "accounts.E001" in result.stderr and "SECRET_KEY" in result.stderr
    assert "Refusing to start" in result.stderr


def test_the_server_refuses_the_development_service_key_with_debug_off():
    result = start_server(
        DEBUG="false", SECRET_KEY=PRODUCTION["SECRET_KEY"], DEV_AUTH_TOKEN="devkey"
    )
    assert result.returncode == 1
    assert "accounts.E002" in result.stderr and "DEV_AUTH_TOKEN" in result.stderr


def test_check_deploy_names_both_development_secrets():
    result = run_manage("check", "--deploy", DEBUG="false", SECRET_KEY="", DEV_AUTH_TOKEN="devkey")
    assert result.returncode != 0
    assert "accounts.E001" in result.stderr and "accounts.E002" in result.stderr


def test_check_deploy_is_clean_in_the_documented_production_configuration():
    result = run_manage("check", "--deploy", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_development_commands_keep_working_with_the_defaults():
    result = run_manage("check", DEBUG="false", SECRET_KEY="", DEV_AUTH_TOKEN="devkey")
    assert result.returncode == 0, result.stderr


def test_a_malformed_proxy_ssl_header_names_the_variable():
    result = run_manage("check", SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO")
    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER" in result.stderr
