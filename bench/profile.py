"""`--profile`: sample the pipeline server with py-spy under load and summarise where CPU goes."""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_RATE = 250
CATEGORIES = (
    # (name, path fragment, function or "" for any): the innermost matching frame decides.
    ("SQLite (statement execution)", "backends/sqlite3/base.py", "execute"),
    ("SQLite (statement execution)", "backends/sqlite3/base.py", "executemany"),
    ("Django ORM (query building, compiling, model code)", "django/db/", ""),
    ("Django (other)", "django/", ""),
    ("LangGraph / LangChain internals", "langgraph/", ""),
    ("LangGraph / LangChain internals", "langchain_core/", ""),
    ("daphne / Twisted / autobahn (HTTP, writes)", "daphne/", ""),
    ("daphne / Twisted / autobahn (HTTP, writes)", "twisted/", ""),
    ("daphne / Twisted / autobahn (HTTP, writes)", "autobahn/", ""),
    ("thread hops (asgiref, executor, threading)", "asgiref/", ""),
    ("thread hops (asgiref, executor, threading)", "concurrent/futures/", ""),
    ("thread hops (asgiref, executor, threading)", "threading.py", ""),
    ("Channels", "channels/", ""),
    ("pydantic", "pydantic", ""),
    ("JSON", "json/", ""),
    ("asyncio event loop", "asyncio/", ""),
    ("our code (chat, agents, memory, telemetry)", "/chat/", ""),
    ("our code (chat, agents, memory, telemetry)", "/agents/", ""),
    ("our code (chat, agents, memory, telemetry)", "/memory/", ""),
    ("our code (chat, agents, memory, telemetry)", "/telemetry/", ""),
)


@dataclass
class Profile:
    """Sample counts of a collapsed-stack profile: per category, per function (self, inclusive)."""

    samples: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    own: Counter[str] = field(default_factory=Counter)
    inclusive: Counter[str] = field(default_factory=Counter)


def category(frames: list[str]) -> str:
    """The category of a sample: that of its innermost frame with a known location."""
    for frame in reversed(frames):
        function, _, location = frame.partition(" (")
        for name, fragment, wanted in CATEGORIES:
            if fragment in location and (not wanted or function == wanted):
                return name
    return "other (stdlib, site-packages)"


def short(frame: str) -> str:
    """`function (path:line)` → `function (last two path parts)`, without the line number."""
    function, _, location = frame.partition(" (")
    path = location.rstrip(")").rsplit(":", 1)[0]
    return f"{function} ({'/'.join(Path(path).parts[-2:])})"


def parse_collapsed(text: str) -> Profile:
    """Read py-spy's `--format raw` output: one `frame;frame;... count` line per stack."""
    profile = Profile()
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count, frames = int(count_text), stack.split(";")
        while len(frames) > 1 and frames[0].startswith(("process ", "thread ")):
            frames = frames[1:]
        profile.samples += count
        profile.categories[category(frames)] += count
        profile.own[short(frames[-1])] += count
        for name in {short(frame) for frame in frames}:
            profile.inclusive[name] += count
    return profile


def share(count: int, total: int) -> str:
    """`count` as a percentage of `total`."""
    return f"{100 * count / total:5.1f} %" if total else "  -  %"


def format_profile(profile: Profile, *, top: int = 25) -> list[str]:
    """The summary: samples per category, then the top functions by own and inclusive samples."""
    total = profile.samples
    lines = [f"{total} samples of the server's busy threads"]
    sections = (
        ("by category (innermost known frame)", profile.categories),
        ("top functions by own samples", profile.own),
        ("top functions by inclusive samples", profile.inclusive),
    )
    for title, counts in sections:
        lines += ["", title]
        lines += [f"  {share(n, total)}  {name}" for name, n in counts.most_common(top)]
    return lines


def py_spy() -> str | None:
    """The py-spy executable next to this Python, or on PATH (None when not installed)."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


@contextlib.contextmanager
def sampling(pid: int, raw_path: Path) -> Iterator[None]:
    """Sample `pid` with py-spy during the block; the collapsed stacks land in `raw_path`."""
    executable = py_spy()
    if executable is None:
        raise RuntimeError("py-spy is not installed: pip install -r requirements/dev.txt")
    command = [executable, "record", "--pid", str(pid), "--rate", str(SAMPLE_RATE)]
    command += ["--format", "raw", "--output", str(raw_path)]
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)
        _, errors = recorder.communicate(timeout=60)
    if recorder.returncode not in (0, -signal.SIGINT) or not raw_path.exists():
        raise RuntimeError(f"py-spy failed: {errors.decode(errors='replace').strip()}")
