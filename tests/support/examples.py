"""An example app of examples/ (built by make test) served next to a server it may call."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.live_server import ROOT, LiveServer, live_server
from tests.support.static_site import static_site


@contextlib.contextmanager
def served_example(
    name: str, tmp_path_factory: pytest.TempPathFactory, template_db: Path, **env: str
) -> Iterator[tuple[str, LiveServer]]:
    """The example's `dist/` on one port and a daphne that lets its origin call it."""
    with static_site(ROOT / "examples" / name / "dist") as site:
        workdir = tmp_path_factory.mktemp(name)
        with live_server(workdir, template_db=template_db, CORS_ORIGINS=site, **env) as api:
            yield site, api
