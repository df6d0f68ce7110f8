"""The official `openai` JS SDK (tests/js, installed by `npm ci` in make test) from node."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from harness.live_server import ROOT
from tests.protocols.openai.conftest import SERVICE_KEY, base_url, new_user

CLIENT = ROOT / "tests" / "js" / "openai_client.mjs"


def run_node(script: Path, *args: str) -> dict:
    """Run a node script of tests/js; return the JSON it prints last."""
    node = shutil.which("node")
    assert node, "node is missing: make test installs it (scripts/install-system-packages)"
    assert (ROOT / "tests/js/node_modules/openai").is_dir(), (
        "run `npm ci` in tests/js (make test does)"
    )
    result = subprocess.run(
        [node, str(script), *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_js_sdk_streams_a_chat_completion_and_resumes_a_background_response(server):
    seen = run_node(CLIENT, base_url(server), SERVICE_KEY, new_user())
    chat = seen["chat"]
    assert "Juniper" in chat["content"]
    assert "Planner is working." in chat["reasoning"]
    assert chat["finishReason"] == "stop" and chat["usage"]["total_tokens"] > 0
    response = seen["response"]
    assert response["startedStatus"] in {"queued", "in_progress"}
    assert response["allSequence"] == list(range(len(response["allSequence"])))
    assert response["resumedSequence"] == response["allSequence"][response["after"] + 1 :]
    assert response["resumedTypes"][-1] == "response.completed"
    assert response["status"] == "completed" and "intelligence" in response["outputText"].lower()
