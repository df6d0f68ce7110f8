"""The run settings: bad values name their variable (checked in fresh processes)."""

from __future__ import annotations

import pytest

from tests.site.test_settings import run_manage


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"RUN_REPLAY_SECONDS": "0"}, "RUN_REPLAY_SECONDS"),
        ({"RUN_HEARTBEAT_SECONDS": "soon"}, "RUN_HEARTBEAT_SECONDS"),
        ({"RUN_HEARTBEAT_SECONDS": "5", "RUN_LEASE_SECONDS": "6"}, "RUN_LEASE_SECONDS"),
        ({"RUN_SHUTDOWN_GRACE_SECONDS": "-1"}, "RUN_SHUTDOWN_GRACE_SECONDS"),
        ({"SSE_RETRY_MS": "x"}, "SSE_RETRY_MS"),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else value,
)
def test_a_bad_run_setting_names_its_variable(env, name):
    done = run_manage("check", **env)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and name in done.stderr


def test_a_redis_url_is_accepted():
    done = run_manage("check", REDIS_URL="redis://127.0.0.1:1/0")
    assert done.returncode == 0, done.stderr
