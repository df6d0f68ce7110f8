"""The accounts app: API keys, the caller they resolve to, and rate limits."""

from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Identity of API callers."""

    name = "accounts"
    verbose_name = "API keys"

    def ready(self) -> None:
        """Register the system checks on insecure defaults."""
        from accounts import checks  # noqa: F401
