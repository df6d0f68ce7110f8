"""Every snippet of the README and docs/ is run as written, against a live server.

A fenced `bash`, `sh`, `python`, `js` or `console` block is run unless the line before it says
why not (`<!-- not run: … -->`); a block after `<!-- continues the snippet above -->` runs
in the same script as the one before it. Snippets read where the server is and which key to
use from `BASE` and `KEY`, as the README's "Try it" has the reader set them: each is run with
the development key and again with a user key of its own. A `console` block is an operator's
transcript: its `$` commands run in order, and one whose output shows a `CommandError` must
fail. What each snippet must print is in EXPECTED, so that a snippet that runs but says the
wrong thing fails too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from harness.live_server import ROOT, LiveServer, live_server, server_env
from tests.support.keys import create_key
from tests.support.node import JS

RUNNABLE = ("bash", "sh", "python", "js", "console")
NOT_RUN = re.compile(r"<!-- not run: (.+?) -->")
CONTINUES = "<!-- continues the snippet above -->"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
DOCUMENTS = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]


@dataclass
class Snippet:
    """One runnable script of a document: where it is, its language and code."""

    path: str
    number: int
    """Its place among the document's snippets that are run (1, 2, …); 0 when it is not run."""
    lang: str
    code: str
    skipped: str = ""

    @property
    def name(self) -> str:
        return f"{self.path}#{self.number}" if self.number else f"{self.path} (not run)"


def snippets_of(path: str) -> list[Snippet]:
    """The document's blocks in runnable languages, continuations joined to their first."""
    text = (ROOT / path).read_text()
    found: list[Snippet] = []
    for match in FENCE.finditer(text):
        lang, code = match.group(1), match.group(2)
        if lang not in RUNNABLE:
            continue
        before = text[: match.start()].rstrip("\n").splitlines()
        marker = before[-1].strip() if before else ""
        if marker == CONTINUES:
            assert found and found[-1].lang == lang, f"{path}: a block continues nothing"
            found[-1].code += "\n" + code
            continue
        skipped = NOT_RUN.fullmatch(marker)
        number = 0 if skipped else sum(1 for s in found if not s.skipped) + 1
        found.append(Snippet(path, number, lang, code, skipped.group(1) if skipped else ""))
    return found


ALL = [snippet for path in DOCUMENTS for snippet in snippets_of(path)]
RUN = [snippet for snippet in ALL if not snippet.skipped]
OPERATOR = [snippet for snippet in RUN if snippet.lang == "console"]
CLIENT = [snippet for snippet in RUN if snippet.lang != "console"]

EXPECTED: dict[str, list[str]] = {
    "README.md#1": ["Your favorite color is blue."],
    "docs/ag-ui.md#1": ["intelligence"],
    "docs/ai-sdk.md#1": ["intelligence"],
    "docs/api.md#1": ["event: done", "Your favorite color is blue."],
    "docs/checkpoints.md#1": ["asks to db.insert I like green tea", "I'll remember that"],
    "docs/checkpoints.md#2": ["interrupted", "next: ['worker']", "done", "Count my sessions"],
    "docs/keys.md#1": ["event: done", '"sessionId": "a1"'],
    "docs/memory.md#1": ["Your favorite color is teal.", "My favourite colour is teal."],
    "docs/langgraph.md#1": [],  # makes a client, prints nothing
    "docs/langgraph.md#2": ["intelligence", "interrupted"],
    "docs/langgraph.md#3": ["intelligence"],
    "docs/openai.md#1": ["['orchestrator']", "intelligence", "qubits", "completed"],
    "docs/openai.md#2": ["intelligence"],
    "docs/runs.md#1": ["event: done", '"status"', '"activeRunId"'],
    "docs/operator-commands.md#1": ["Recall OK: turn 2 answered with 'Alice'."],
    "docs/operator-commands.md#2": ["Seeding session seed-http1", "belongs to another user"],
    "docs/operator-commands.md#3": ["Demo data:", '"sessionId": "demo-alice-2"'],
    "docs/operator-commands.md#4": ["Summarised", "Session 'nope' not found."],
    "docs/operator-commands.md#5": ["you> My name is Alice", "Number of messages by role"],
    "docs/operator-commands.md#6": ["RESULTS: 9/9 passed", "RESULTS: 1/9 passed"],
    "docs/operator-commands.md#7": ["for user 'alice'"],
    "docs/operator-commands.md#8": ["admin user 'admin'"],
    "docs/operator-commands.md#9": ["Counted"],
    "docs/operator-commands.md#10": ["Forgot alice:"],
}
"""What each snippet that is run prints (it may print more), by its place in its document."""


def test_every_runnable_snippet_has_its_expected_output_and_no_other_is_listed():
    assert sorted(s.name for s in RUN) == sorted(EXPECTED)


def test_every_snippet_that_is_not_run_says_why():
    assert all(len(s.skipped) > 10 for s in ALL if s not in RUN)


@pytest.fixture(scope="module")
def snippet_server(tmp_path_factory, template_db) -> Iterator[LiveServer]:
    """A development server whose answers take a few seconds (`runs.md` acts mid-run)."""
    workdir = tmp_path_factory.mktemp("snippets")
    with live_server(workdir, template_db=template_db, BUILTIN_TOKEN_DELAY_MS="100") as server:
        yield server


@pytest.fixture(scope="module")
def user_key(snippet_server) -> str:
    """A user key of its own, for the second run of every client snippet."""
    return create_key(snippet_server.sqlite_path, f"snippet-{uuid.uuid4().hex[:8]}")


def run(snippet: Snippet, server: LiveServer, key: str) -> subprocess.CompletedProcess[str]:
    """Run the snippet in the repository with BASE and KEY set, as a reader would."""
    env = server_env(server.sqlite_path, BASE=server.url, KEY=key)
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    if snippet.lang == "python":
        command = [sys.executable, "-c", snippet.code]
    elif snippet.lang == "js":
        script = JS / f".snippet-{uuid.uuid4().hex}.mjs"  # beside tests/js/node_modules
        script.write_text(snippet.code)
        command = ["node", str(script)]
    else:
        command = ["bash", "-e", "-c", snippet.code]
    try:
        return subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
        )
    finally:
        if snippet.lang == "js":
            script.unlink()


@pytest.mark.parametrize("variant", ["devkey", "user key"])
@pytest.mark.parametrize("snippet", CLIENT, ids=lambda s: s.name)
def test_a_client_snippet_runs_as_written(snippet, variant, snippet_server, user_key):
    key = "devkey" if variant == "devkey" else user_key
    result = run(snippet, snippet_server, key)
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-2000:]
    for expected in EXPECTED[snippet.name]:
        assert expected.lower() in result.stdout.lower(), (expected, result.stdout[-3000:])


def commands_of(transcript: str) -> list[tuple[str, bool]]:
    """A transcript's `$` commands (with their continuation lines) and whether each fails."""
    commands: list[tuple[str, bool]] = []
    for chunk in re.split(r"^\$ ", transcript, flags=re.MULTILINE)[1:]:
        lines = chunk.splitlines()
        command = [lines[0]]
        while command[-1].endswith("\\") and len(command) < len(lines):
            command.append(lines[len(command)])
        output = "\n".join(lines[len(command) :])
        commands.append(("\n".join(command), "CommandError" in output))
    return commands


@pytest.mark.parametrize("snippet", OPERATOR, ids=lambda s: s.name)
def test_an_operator_transcript_runs_as_written(snippet, snippet_server):
    printed = ""
    for command, fails in commands_of(snippet.code):
        step = Snippet(snippet.path, snippet.number, "bash", command)
        result = run(step, snippet_server, "devkey")
        assert (result.returncode != 0) is fails, (command, result.stderr[-2000:])
        printed += result.stdout + result.stderr
    for expected in EXPECTED[snippet.name]:
        assert expected in printed, (expected, printed[-3000:])


def test_every_command_of_the_docs_names_the_virtualenvs_python():
    """`python manage.py …` fails outside the virtualenv; the docs give what works."""
    bare = re.compile(r"(?<![/\w])python (manage\.py|-m orchestration_site)")
    offenders = [
        f"{path}:{number}"
        for path in DOCUMENTS
        for number, line in enumerate((ROOT / path).read_text().splitlines(), start=1)
        if bare.search(line)
    ]
    assert offenders == []
