from __future__ import annotations

from django.apps import AppConfig


class AgentsConfig(AppConfig):
    """The LangGraph pipeline, its LLM providers and DB tools."""

    name = "agents"

    def ready(self) -> None:
        """Register the app's system checks; run the DB tools' regexes on RE2 (SQLite)."""
        from django.db.backends.signals import connection_created

        from agents import checks  # noqa: F401 - importing registers the checks
        from agents.tools.patterns import use_re2_for_sqlite_regexp

        connection_created.connect(use_re2_for_sqlite_regexp, dispatch_uid="agents.re2")
