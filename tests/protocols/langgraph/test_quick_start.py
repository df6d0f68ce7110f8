"""docs/langgraph.md's quick start Python snippet, run as written against a live server."""

from __future__ import annotations

import re
import subprocess
import sys

from harness.live_server import ROOT
from tests.protocols.langgraph.conftest import sync_client

SECTION = "## Quick start"


def quick_start_snippet() -> str:
    """The section's Python blocks, in order, as one script."""
    doc = (ROOT / "docs" / "langgraph.md").read_text()
    section = doc.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return "\n".join(re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL))


def test_the_quick_start_snippet_streams_rejoins_and_cancels(slow_server):
    script = quick_start_snippet().replace("http://127.0.0.1:8000", slow_server.url)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    answer, status = result.stdout.strip().splitlines()
    assert status == "interrupted"
    client = sync_client(slow_server.url)
    [thread] = client.threads.search(metadata={"user_id": "user1"}, limit=1)
    messages = client.threads.get_state(thread["thread_id"])["values"]["messages"]
    assert answer == messages[1]["content"] and "intelligence" in answer.lower()
