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

SAMPLE_RATE = 400
IDLE_LEAVES = (
    # Innermost frames of threads that wait (py-spy cannot always tell them from busy ones).
    ("_worker", "concurrent/futures/thread.py"),
    ("EpollSelector.select", "selectors.py"),
    ("Condition.wait", "threading.py"),
    ("Event.wait", "threading.py"),
)
OURS = "our code (the project's packages)"
HOPS = "thread hops (asgiref, executor hand-offs)"
LOOP = "asyncio event loop (scheduling, self-pipe wake-ups)"
ROOT = str(Path(__file__).resolve().parents[2])
"""The repository's root (bench/gate/profile.py is two levels down)."""
PACKAGES = (
    # (name, package directory under site-packages or the project): innermost match decides.
    ("Django ORM (query building, compiling, model code)", "django/db"),
    ("Django (other)", "django"),
    ("LangGraph / LangChain internals", "langgraph"),
    ("LangGraph / LangChain internals", "langchain_core"),
    ("daphne / Twisted / autobahn (HTTP, writes)", "daphne"),
    ("daphne / Twisted / autobahn (HTTP, writes)", "twisted"),
    ("daphne / Twisted / autobahn (HTTP, writes)", "autobahn"),
    (HOPS, "asgiref"),
    ("Channels", "channels"),
    ("pydantic", "pydantic"),
    ("pydantic", "pydantic_core"),
)
PROJECT = tuple(
    f"{package}/"
    for package in (
        "accounts", "agents", "chat", "console", "edge", "llm", "memory", "operations",
        "orchestration_site", "protocols", "runs", "telemetry",
    )
)  # fmt: skip
SQLITE_CALLS = (
    "SQLiteCursorWrapper.execute",
    "SQLiteCursorWrapper.executemany",
    "BaseDatabaseWrapper._commit",  # the driver's commit: SQLite writing the transaction
)
DISPATCHERS = {
    # Frames that run whatever was queued: a sample with nothing more specific below one of
    # these is the dispatching machinery's own cost.
    "Handle._run": LOOP,
    "BaseEventLoop._run_once": LOOP,
    "_WorkItem.run": HOPS,
    "_worker": HOPS,
}


@dataclass
class Profile:
    """Sample counts of a collapsed-stack profile: per category, per function (self, inclusive)."""

    samples: int = 0
    idle: int = 0
    """Samples of waiting threads, left out of everything else."""
    categories: Counter[str] = field(default_factory=Counter)
    own: Counter[str] = field(default_factory=Counter)
    inclusive: Counter[str] = field(default_factory=Counter)


def category(frames: list[str]) -> str:
    """The category of a sample: its innermost frame of a known library, or the dispatcher.

    Standard-library frames (asyncio, selectors, threading) are passed over, so that e.g. a
    self-pipe write counts for whoever called `call_soon_threadsafe`; when the walk reaches
    the event loop's or an executor's dispatching frame first, the sample is theirs.
    """
    for frame in reversed(frames):
        function, _, location = frame.partition(" (")
        found = frame_category(function, location)
        if found:
            return found
        if function in DISPATCHERS:
            return DISPATCHERS[function]
    return "other (stdlib, site-packages)"


def frame_category(function: str, location: str) -> str | None:
    """The category of one frame of a known place, or None (standard library, unknown)."""
    if function in SQLITE_CALLS:
        return "SQLite (statements, commits)"
    if "/json/" in location:
        return "JSON"
    _, marker, inside = location.partition("site-packages/")
    if marker:
        return next((name for name, package in PACKAGES if inside.startswith(package + "/")), None)
    if location.startswith(ROOT + "/"):
        return OURS if location[len(ROOT) + 1 :].startswith(PROJECT) else None
    return None


def is_idle(frame: str) -> bool:
    """Whether a sample's innermost frame is a thread waiting for work."""
    function, _, location = frame.partition(" (")
    return any(function == name and path in location for name, path in IDLE_LEAVES)


def short(frame: str) -> str:
    """`function (path:line)` → `function (path inside its package)`, without the line."""
    function, _, location = frame.partition(" (")
    path = location.rstrip(")").rsplit(":", 1)[0]
    path = path.rpartition("site-packages/")[2].removeprefix(ROOT + "/")
    if path.startswith("/"):
        path = "/".join(Path(path).parts[-2:])  # the standard library
    return f"{function} ({path})"


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
        if is_idle(frames[-1]):
            profile.idle += count
            continue
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
    lines = [f"{total} busy samples ({profile.idle} samples of waiting threads left out)"]
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
    command += ["--format", "raw", "--full-filenames", "--nonblocking", "--output", str(raw_path)]
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)
        _, errors = recorder.communicate(timeout=60)
    if recorder.returncode not in (0, -signal.SIGINT) or not raw_path.exists():
        raise RuntimeError(f"py-spy failed: {errors.decode(errors='replace').strip()}")
