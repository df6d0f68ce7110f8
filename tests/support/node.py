"""Running the official JS clients of tests/js (installed by `npm ci` in make test) from node."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from harness.live_server import ROOT

JS = ROOT / "tests" / "js"


def run_node(script: Path, *args: str) -> dict:
    """Run a node script of tests/js; return the JSON it prints last."""
    node = shutil.which("node")
    assert node, "node is missing: make test installs it (scripts/install-system-packages)"
    assert (JS / "node_modules").is_dir(), "run `npm ci` in tests/js (make test does)"
    result = subprocess.run(
        [node, str(script), *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
