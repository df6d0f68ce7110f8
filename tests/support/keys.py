"""User API keys for live servers, made as an operator makes them (`manage.py createapikey`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness.live_server import ROOT, server_env


def create_key(sqlite_path: Path, user: str) -> str:
    """Create a key for `user` in the server's database; return it."""
    result = subprocess.run(
        [sys.executable, "manage.py", "createapikey", user],
        cwd=ROOT,
        env=server_env(sqlite_path),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip().splitlines()[-1]
