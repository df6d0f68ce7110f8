"""Logs of an interactive command sent to a file, so that none lands between a user's lines."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def logs_to_file(path: Path) -> Iterator[Path]:
    """Send every log record to `path` (appended) instead of the console, for the block.

    The file's handler takes the console handler's formatter and filters (LOG_FORMAT, the run
    ids), so that its lines read as the server's do.
    """
    root = logging.getLogger()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    consoles = [h for h in root.handlers if isinstance(h, logging.StreamHandler)]
    if consoles:
        handler.setFormatter(consoles[0].formatter)
        for kept in consoles[0].filters:
            handler.addFilter(kept)
    for console in consoles:
        root.removeHandler(console)
    root.addHandler(handler)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        handler.close()
        for console in consoles:
            root.addHandler(console)
