"""System checks for the model provider settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from agents.providers import PROVIDER_NAMES, parse_choice
from llm.base import ROLES


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
def check_agent_models(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Report an LLM_<ROLE> that is not "provider" or "provider:model" (agents.E002)."""
    errors: list[CheckMessage] = []
    for role in ROLES:
        value = settings.LLM_AGENT_MODELS.get(role, "")
        try:
            if value:
                parse_choice(value)
        except ValueError as exc:
            errors.append(
                Error(
                    f"LLM_{role.upper()}={value!r}: {exc}.",
                    hint="Write a provider (builtin, openai, anthropic), optionally followed by "
                    "':' and a model, e.g. openai:gpt-4o-mini; or leave it empty to use "
                    "LLM_PROVIDER.",
                    id="agents.E002",
                )
            )
    return errors


def providers_in_use() -> set[str]:
    """Return the providers some role will use (unknown names are left to E001/E002)."""
    used = set()
    for role in ROLES:
        try:
            used.add(parse_choice(settings.LLM_AGENT_MODELS.get(role) or settings.LLM_PROVIDER)[0])
        except ValueError:
            continue
    return used


@register()
def check_openai_credentials(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when the public OpenAI API would be called without a key (agents.W001)."""
    if "openai" not in providers_in_use() or settings.OPENAI_API_KEY or settings.OPENAI_BASE_URL:
        return []
    return [
        Warning(
            "OpenAI is in use but OPENAI_API_KEY is empty and OPENAI_BASE_URL is unset: "
            "the public OpenAI API will reject every request.",
            hint="Set OPENAI_API_KEY, or OPENAI_BASE_URL to a local OpenAI-compatible server.",
            id="agents.W001",
        )
    ]


@register()
def check_anthropic_credentials(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when the public Anthropic API would be called without a key (agents.W002)."""
    if (
        "anthropic" not in providers_in_use()
        or settings.ANTHROPIC_API_KEY
        or settings.ANTHROPIC_BASE_URL
    ):
        return []
    return [
        Warning(
            "Anthropic is in use but ANTHROPIC_API_KEY is empty and ANTHROPIC_BASE_URL is unset: "
            "the public Anthropic API will reject every request.",
            hint="Set ANTHROPIC_API_KEY, or ANTHROPIC_BASE_URL to a Messages API gateway.",
            id="agents.W002",
        )
    ]
