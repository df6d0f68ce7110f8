from __future__ import annotations

from django.apps import AppConfig


class AgentsConfig(AppConfig):
    """The LangGraph pipeline, its LLM providers and DB tools."""

    name = "agents"
