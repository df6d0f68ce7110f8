"""System checks for the LLM provider settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from agents.llm.factory import PROVIDER_NAMES


@register()
def check_llm_provider(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Report an LLM_PROVIDER that names no known provider (agents.E001)."""
    if settings.LLM_PROVIDER in PROVIDER_NAMES:
        return []
    return [
        Error(
            f"LLM_PROVIDER={settings.LLM_PROVIDER!r} is not a known provider.",
            hint=f"Set LLM_PROVIDER to one of: {', '.join(PROVIDER_NAMES)}.",
            id="agents.E001",
        )
    ]


@register()
def check_openai_credentials(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when the public OpenAI API would be called without a key (agents.W001)."""
    if settings.LLM_PROVIDER != "openai" or settings.OPENAI_API_KEY or settings.OPENAI_BASE_URL:
        return []
    return [
        Warning(
            "LLM_PROVIDER is openai but OPENAI_API_KEY is empty and OPENAI_BASE_URL is unset: "
            "the public OpenAI API will reject every request.",
            hint="Set OPENAI_API_KEY, or OPENAI_BASE_URL to a local OpenAI-compatible server.",
            id="agents.W001",
        )
    ]
