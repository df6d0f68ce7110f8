from __future__ import annotations

from django.apps import AppConfig


class AgentsConfig(AppConfig):
    """The LangGraph pipeline, its LLM providers and DB tools."""

    name = "agents"

    def ready(self) -> None:
        """Register the app's system checks."""
        from agents import checks  # noqa: F401 - importing registers the checks
