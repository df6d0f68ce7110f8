"""The operator's console: what draws the admin, the run dashboard and the per-user pages."""

from __future__ import annotations

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The console's toolkit, charts, figures and templates (no models of its own)."""

    name = "console"
    verbose_name = "Operator's console"
