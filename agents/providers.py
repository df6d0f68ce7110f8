"""Build the configured model providers from settings: one per agent role, shared per process."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from llm.base import ROLES, LLMProvider, Role
from llm.router import ModelRouter

BUILTIN_NAMES = ("builtin", "mock")
PROVIDER_NAMES = (*BUILTIN_NAMES, "openai", "anthropic")


def parse_choice(value: str) -> tuple[str, str]:
    """Split "provider" or "provider:model" into (provider, model); model may be ''.

    Raises:
        ValueError: when the provider is unknown, or a model is named for the built-in one.
    """
    provider, _, model = value.strip().partition(":")
    provider, model = provider.strip().lower(), model.strip()
    if provider not in PROVIDER_NAMES:
        raise ValueError(f"{provider!r} is not one of {', '.join(PROVIDER_NAMES)}")
    if provider in BUILTIN_NAMES and model:
        raise ValueError("the built-in provider has no models to choose from")
    return ("builtin" if provider in BUILTIN_NAMES else provider), model


def agent_choices() -> dict[Role, tuple[str, str]]:
    """Return (provider, model) per role: LLM_<ROLE>, else LLM_PROVIDER's.

    Raises:
        ImproperlyConfigured: naming the variable whose value is not a known provider.
    """
    choices: dict[Role, tuple[str, str]] = {}
    for role in ROLES:
        value = settings.LLM_AGENT_MODELS.get(role) or settings.LLM_PROVIDER
        name = f"LLM_{role.upper()}" if settings.LLM_AGENT_MODELS.get(role) else "LLM_PROVIDER"
        try:
            choices[role] = parse_choice(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}={value!r}: {exc}.") from None
    return choices


def get_provider() -> ModelRouter:
    """Return the per-role providers, shared while the settings they read stay the same.

    Raises:
        ImproperlyConfigured: when LLM_PROVIDER or an LLM_<ROLE> names no known provider.
    """
    return _router_for(tuple(agent_choices().items()), _settings_key())


def reset_provider() -> None:
    """Forget the shared providers, so the next get_provider() reads settings afresh."""
    _router_for.cache_clear()


def _settings_key() -> tuple[Any, ...]:
    """Every provider setting: a change in any of them builds new providers."""
    return (
        settings.BUILTIN_TOKEN_DELAY_MS,
        settings.OPENAI_MODEL,
        settings.OPENAI_API_KEY,
        settings.OPENAI_BASE_URL,
        settings.OPENAI_TIMEOUT_SECONDS,
        settings.OPENAI_MAX_RETRIES,
        settings.ANTHROPIC_MODEL,
        settings.ANTHROPIC_API_KEY,
        settings.ANTHROPIC_BASE_URL,
        settings.ANTHROPIC_TIMEOUT_SECONDS,
        settings.ANTHROPIC_MAX_RETRIES,
        settings.ANTHROPIC_MAX_TOKENS,
    )


@lru_cache(maxsize=4)
def _router_for(
    choices: tuple[tuple[Role, tuple[str, str]], ...], _key: tuple[Any, ...]
) -> ModelRouter:
    """Build one provider per distinct (provider, model) and route each role to its own."""
    built: dict[tuple[str, str], LLMProvider] = {}
    for _role, choice in choices:
        if choice not in built:
            built[choice] = build_provider(*choice)
    return ModelRouter({role: built[choice] for role, choice in choices})


def build_provider(kind: str, model: str = "") -> LLMProvider:
    """Build one provider from settings; `model` overrides its configured model."""
    if kind == "builtin":
        from llm.builtin import BuiltinModel

        return BuiltinModel(token_delay_ms=settings.BUILTIN_TOKEN_DELAY_MS)
    if kind == "openai":
        from llm.openai_provider import OpenAIProvider

        return OpenAIProvider(
            model=model or settings.OPENAI_MODEL,
            api_key=settings.OPENAI_API_KEY,
            base_url=settings.OPENAI_BASE_URL,
            timeout=settings.OPENAI_TIMEOUT_SECONDS,
            max_retries=settings.OPENAI_MAX_RETRIES,
        )
    from llm.anthropic_provider import AnthropicProvider

    return AnthropicProvider(
        model=model or settings.ANTHROPIC_MODEL,
        api_key=settings.ANTHROPIC_API_KEY,
        base_url=settings.ANTHROPIC_BASE_URL,
        timeout=settings.ANTHROPIC_TIMEOUT_SECONDS,
        max_retries=settings.ANTHROPIC_MAX_RETRIES,
        max_tokens=settings.ANTHROPIC_MAX_TOKENS,
    )
