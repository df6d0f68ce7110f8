"""docs/openai.md's quick start Python snippets, run as written against a live server."""

from __future__ import annotations

import re
import subprocess
import sys

from harness.live_server import ROOT

SECTION = "## Quick start"


def quick_start_snippets() -> str:
    """The section's Python blocks, in order, as one script."""
    doc = (ROOT / "docs" / "openai.md").read_text()
    section = doc.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return "\n".join(re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL))


def test_the_quick_start_snippets_list_the_model_stream_an_answer_and_resume_a_background_response(
    server,
):
    script = quick_start_snippets().replace("http://127.0.0.1:8000", server.url)
    assert script.count("client.") >= 5
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "['orchestrator']"
    assert "intelligence" in lines[1].lower()
    assert lines[2].lower().startswith("quantum computing uses qubits")
    assert lines[-1] == "completed"
