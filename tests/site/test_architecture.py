"""The import rules of docs/architecture.md, checked over every project module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {"tests", "bench", "migrations", "mongo_migrations", "docs", "scripts", ".venv"}
APPS_BY_RANK = ("accounts", "memory", "agents", "telemetry", "chat", "orchestration_site")
"""Non-model modules import only apps to their left (and their own app)."""
LEAF = "llm"
DATA_MODULES = {"models", "ids", "schemas", "lookups"}
EDGE_MODULES = {"admin", "admin_mixins"}
"""Admin modules belong to the HTTP edge (chat's rank) whatever app they sit in."""
PROJECT = {LEAF, *APPS_BY_RANK}


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
    """Return the app whose layer a non-model module is in (edge modules are chat's)."""
    return "chat" if kind(module) == "edge" else module.split(".")[0]


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
    if APPS_BY_RANK.index(layer(importer)) > APPS_BY_RANK.index(layer(imported)):
        return None
    return f"{importer.split('.')[0]} may not import {top}'s non-model modules (import downward)"


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
        "chat.runs",
        "memory.context",
        "telemetry.api",
        "accounts.callers",
    } <= modules
    assert not any(".migrations" in module for module in modules)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("llm.builtin", "from memory.context import SUMMARY_HEADER"),
        ("llm.openai_provider", "from django.conf import settings"),
        ("agents.tools.runner", "from telemetry.admin import ToolCallAdmin"),
        ("agents.worker", "from chat.runs import ChatRun"),
        ("memory.tokens", "import agents.graph"),
        ("telemetry.api", "from chat.api import router"),
        ("chat.models", "from chat.records import RunRecord"),
        ("memory.summarizer", "from ..agents import graph"),
        ("accounts.callers", "from chat.edge import admit_caller"),
        ("chat.lookups", "from accounts.callers import Caller"),
    ],
)
def test_an_import_against_the_rules_is_named(module, source):
    (violation,) = violations(source, module)
    assert violation.startswith(f"{module}:1 imports ")


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("llm.builtin", "from llm.requests import parse"),
        ("memory.context", "from chat.models import Message"),
        ("chat.runs", "from agents.graph import compiled_graph"),
        ("chat.runs", "from telemetry.models import RequestMetric"),
        ("telemetry.api", "from chat.lookups import get_session_or_404"),
        ("telemetry.admin", "from chat.admin_mixins import ReadOnlyHistoryMixin"),
        ("agents.planner", "from opentelemetry import trace"),
        ("orchestration_site.urls", "from chat.api import router"),
        ("chat.edge", "from accounts.callers import Caller"),
        (
            "chat.lookups",
            "if TYPE_CHECKING:\n    from accounts.callers import Caller",
        ),
    ],
)
def test_an_import_along_the_rules_passes(module, source):
    assert violations(source, module) == []


def test_the_documented_layers_are_the_checked_ones():
    doc = " ".join((ROOT / "docs" / "architecture.md").read_text().split())
    assert all(f"| `{app}`" in doc for app in APPS_BY_RANK)
    downward = " → ".join(f"`{app}`" for app in reversed(APPS_BY_RANK[:-1]))
    assert f"import downward only: {downward} → data / `{LEAF}`" in doc


def test_the_readme_layout_names_every_package():
    readme = (ROOT / "README.md").read_text()
    layout = readme[readme.index("## Development") :]
    assert all(f"\n{package}/" in layout for package in PROJECT)
