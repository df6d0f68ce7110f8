"""The README is a front page, and every link of the README and docs/ leads somewhere real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(
    [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "examples").glob("*/README.md")]
)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")
FIRST_SCREEN = 60
"""Lines a reader sees before scrolling: what the README must say by then."""


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading anchor of a Markdown page (code blocks left out), duplicates numbered."""
    found: set[str] = set()
    text = re.sub(r"(?ms)^```.*?^```", "", page.read_text())
    for heading in re.findall(r"(?m)^#{1,6} (.+)$", text):
        base, n = slug(heading), 1
        name = base
        while name in found:
            name, n = f"{base}-{n}", n + 1
        found.add(name)
    return found


def links(page: Path) -> list[str]:
    """The relative links and images of a page, outside code blocks."""
    text = re.sub(r"(?ms)^```.*?^```", "", page.read_text())
    text = re.sub(r"`[^`\n]*`", "", text)
    targets = [a or b for a, b in LINK.findall(text)]
    return [t for t in targets if not re.match(r"^[a-z]+:", t)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_anchor_exists(page):
    broken = []
    for target in links(page):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(target)
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(target)
    assert broken == []


def test_the_readme_is_a_front_page():
    readme = (ROOT / "README.md").read_text()
    first_screen = "\n".join(readme.splitlines()[:FIRST_SCREEN])
    for needed in ("make run", "devkey", "/admin/", "dashboard", "curl", "ADMIN_PASSWORD"):
        assert needed in first_screen, needed
    assert "make test" in readme and len(readme.splitlines()) <= 150
    assert "the original" not in readme and "issue #" not in readme


def test_the_readme_links_every_doc():
    readme = (ROOT / "README.md").read_text()
    unlinked = [
        doc.name
        for doc in (ROOT / "docs").glob("*.md")
        if f"docs/{doc.name}" not in readme
        and not any(f"({doc.name}" in other.read_text() for other in (ROOT / "docs").glob("*.md"))
    ]
    assert unlinked == []


def test_the_slugs_follow_githubs_rules():
    assert slug("Runs: resume, cancel, one at a time per session") == (
        "runs-resume-cancel-one-at-a-time-per-session"
    )
    assert slug("`POST /v1/chat/stream`") == "post-v1chatstream"
    assert slug("Several processes (Redis)") == "several-processes-redis"
