from __future__ import annotations

from django.apps import AppConfig


class CheckpointsConfig(AppConfig):
    """Checkpoints: the graph's state after every step, through the ORM (LangGraph's saver API)."""

    name = "checkpoints"
