"""The server's start-up heap: frozen out of later collections, without unneeded clients."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest

from harness.live_server import server_env
from orchestration_site.server import GC_GEN0_THRESHOLD, settle_start_up_heap


@pytest.fixture
def restored_collector():
    """Give the test process its collector back as it was."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_the_application_and_what_it_imported_are_frozen_before_serving(restored_collector):
    settle_start_up_heap("orchestration_site.asgi:application")
    assert gc.get_freeze_count() > 100_000, "Django, LangGraph and the project are frozen"
    assert gc.get_threshold()[0] == GC_GEN0_THRESHOLD
    assert gc.get_count()[0] < 1_000, "collected just before freezing"


def test_an_application_that_does_not_import_stops_the_server(restored_collector):
    with pytest.raises(ModuleNotFoundError):
        settle_start_up_heap("no_such_module:application")


def test_a_server_without_redis_url_never_loads_the_redis_client(tmp_path):
    script = (
        "import sys, django; django.setup()\n"
        "import orchestration_site.asgi\n"
        "from runs.executor import build_runtime\n"
        "build_runtime()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('redis', 'channels_redis')))\n"
    )
    env = {**os.environ, **server_env(tmp_path / "db.sqlite3")}
    env.pop("REDIS_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "orchestration_site.settings"
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
