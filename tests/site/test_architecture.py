"""The import rules of docs/architecture.md, checked over every project module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {"tests", "bench", "migrations", "mongo_migrations", "docs", "scripts", ".venv"}
RANKS = (
    ("chat",),
    ("accounts",),
    ("memory",),
    ("checkpoints",),
    ("agents",),
    ("telemetry",),
    ("webhooks",),
    ("crons",),
    ("runs",),
    ("edge",),
    ("console",),
    ("protocols",),
    ("operations",),
    ("orchestration_site",),
)
"""Non-model modules import only ranks to their left (and their own app): the wire protocols
(every package of `protocols/`, the native one included) share a rank and never import each
other. `chat` is the ground: its models (and the ids every model uses) are data."""
APPS_BY_RANK = tuple(app for rank in RANKS for app in rank)
LEAF = "llm"
DATA_MODULES = {"models"}
EDGE_MODULES = {"admin"}
"""Admin modules belong to the console whatever app they sit in: each app declares its
ModelAdmins with the console's toolkit."""
PROJECT = {LEAF, *APPS_BY_RANK}
ENGINE_DOOR = "runs.engine"
ENGINE_USERS = {"edge", "protocols"}
"""The HTTP edge and the wire protocols reach the engine through its face alone."""


def project_files() -> list[Path]:
    """Every .py file of the project's packages, tests, benchmarks and migrations excluded."""
    return sorted(
        path
        for package in PROJECT
        for path in (ROOT / package).rglob("*.py")
        if not SKIPPED_DIRS & set(path.relative_to(ROOT).parts)
    )


def module_of(path: Path) -> str:
    """Return the dotted module name of a project file."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def type_checking_only(tree: ast.AST) -> set[int]:
    """Return the ids of the nodes under `if TYPE_CHECKING:` (annotations, never run)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        test = getattr(node, "test", None)
        name = getattr(test, "id", None) or getattr(test, "attr", None)
        if isinstance(node, ast.If) and name == "TYPE_CHECKING":
            inside |= {id(child) for stmt in node.body for child in ast.walk(stmt)}
    return inside


def imported_modules(source: str, module: str) -> list[tuple[int, str]]:
    """Return (line, module) for every import `source` runs, relative ones resolved."""
    found = []
    tree = ast.parse(source)
    skipped = type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[: -node.level]
                base = ".".join([*parent, *([base] if base else [])])
            for alias in node.names:
                name = f"{base}.{alias.name}"
                is_module = (ROOT / Path(*name.split("."))).with_suffix(".py").exists()
                found.append((node.lineno, name if is_module else base))
    return found


def kind(module: str) -> str:
    """Classify a module: 'leaf', 'data', 'edge' or 'app'."""
    parts = module.split(".")
    if parts[0] == LEAF:
        return "leaf"
    if len(parts) == 2 and parts[1] in DATA_MODULES:
        return "data"
    if parts[-1] in EDGE_MODULES:
        return "edge"
    return "app"


def layer(module: str) -> str:
    """Return the app whose layer a non-model module is in (admin modules are the console's).

    Each package of `protocols/` is a layer of its own: protocols never import each other.
    """
    parts = module.split(".")
    if kind(module) == "edge":
        return "console"
    return ".".join(parts[:2]) if parts[0] == "protocols" else parts[0]


def rank(layer_name: str) -> int:
    """Return the position of a layer's rank, bottom first."""
    app = layer_name.split(".")[0]
    return next(index for index, apps in enumerate(RANKS) if app in apps)


def problem(importer: str, imported: str) -> str | None:
    """Say why `importer` may not import `imported`, or None when it may."""
    top = imported.split(".")[0]
    if kind(importer) == "leaf":
        if top in PROJECT - {LEAF} or top == "django":
            return "the model layer (llm) imports nothing of ours and no Django"
        return None
    if top not in PROJECT or kind(imported) == "leaf":
        return None
    if kind(importer) == "data":
        return None if kind(imported) == "data" else "models import only other models"
    if kind(imported) == "data" or layer(importer) == layer(imported):
        return None
    door = importer.split(".")[0] in ENGINE_USERS and kind(importer) != "edge"
    if door and top == "runs" and imported != ENGINE_DOOR:
        return f"{layer(importer)} reaches the engine through {ENGINE_DOOR} only"
    if rank(layer(importer)) > rank(layer(imported)):
        return None
    return (
        f"{layer(importer)} may not import {layer(imported)}'s non-model modules (import downward)"
    )


def violations(source: str, module: str) -> list[str]:
    """Return one line per import of `source` that breaks the rules."""
    found = []
    for line, imported in imported_modules(source, module):
        if reason := problem(module, imported):
            found.append(f"{module}:{line} imports {imported}: {reason}")
    return found


def test_every_project_module_imports_only_downward():
    found = [
        violation
        for path in project_files()
        for violation in violations(path.read_text(), module_of(path))
    ]
    assert found == []


def test_the_walk_covers_every_app_and_the_leaf():
    modules = {module_of(path) for path in project_files()}
    assert {
        "llm.requests",
        "agents.worker",
        "runs.pipeline",
        "runs.engine",
        "edge.streams",
        "protocols.native.consumers",
        "chat.models",
        "operations.client",
        "memory.context",
        "telemetry.api",
        "accounts.callers",
        "console.toolkit",
    } <= modules
    assert not any(".migrations" in module for module in modules)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("llm.builtin.provider", "from memory.context import SUMMARY_HEADER"),
        ("llm.openai_provider", "from django.conf import settings"),
        ("agents.tools.runner", "from telemetry.admin import ToolCallAdmin"),
        ("agents.worker", "from runs.pipeline import ChatRun"),
        ("memory.tokens", "import agents.graph"),
        ("telemetry.api", "from protocols.native.api import router"),
        ("chat.models", "from runs.records import RunResults"),
        ("runs.models", "from chat.admin import METRIC_COLUMNS"),
        ("memory.summarizer", "from ..agents import graph"),
        ("accounts.callers", "from edge.checks import admit_caller"),
        ("runs.executor", "from edge.sse import encode_event"),
        ("runs.engine", "from protocols.native.requests import ChatRequest"),
        ("edge.streams", "from protocols.native.consumers import ChatStreamConsumer"),
        ("protocols.native.consumers", "from protocols.openai.chat import render"),
        ("protocols.openai.chat", "from protocols.langgraph.runs import admit"),
        ("protocols.openai.chat", "from protocols.native.requests import bind_to_caller"),
        ("telemetry.api", "from runs.access import visible_runs"),
        ("telemetry.rollups", "from console.charts import waterfall"),
        ("edge.streams", "from runs.liveness import Liveness"),
        ("protocols.openai.consumers", "from runs.executor import get_runtime"),
        ("protocols.native.consumers", "from runs.store import is_run_id"),
    ],
)
def test_an_import_against_the_rules_is_named(module, source):
    (violation,) = violations(source, module)
    assert violation.startswith(f"{module}:1 imports ")


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("llm.builtin.provider", "from llm.requests import parse"),
        ("memory.context", "from chat.models import Message"),
        ("runs.pipeline", "from agents.graph import compiled_graph"),
        ("runs.pipeline", "from telemetry.models import RequestMetric"),
        ("telemetry.api", "from accounts.lookups import get_session_or_404"),
        ("telemetry.admin", "from console.toolkit import ReadOnlyHistoryMixin"),
        ("agents.planner", "from opentelemetry import trace"),
        ("orchestration_site.urls", "from protocols.native.api import router"),
        ("edge.checks", "from accounts.callers import Caller"),
        ("protocols.openai.consumers", "from runs.engine import RunExecutor"),
        ("protocols.openai.consumers", "from runs import engine"),
        (
            "runs.models",
            "if TYPE_CHECKING:\n    from runs.executor import RunRuntime",
        ),
    ],
)
def test_an_import_along_the_rules_passes(module, source):
    assert violations(source, module) == []


def test_the_documented_layers_are_the_checked_ones():
    doc = " ".join((ROOT / "docs" / "architecture.md").read_text().split())
    assert all(f"| `{app}`" in doc for app in APPS_BY_RANK)
    downward = " → ".join(" / ".join(f"`{app}`" for app in apps) for apps in reversed(RANKS[:-1]))
    assert f"import downward only: {downward} → data / `{LEAF}`" in doc


def test_the_documented_layout_names_every_package():
    layout = (ROOT / "docs" / "development.md").read_text()
    assert all(f"\n{package}/" in layout for package in PROJECT)
