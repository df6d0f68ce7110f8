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
    apis = (tuple(_api_options(prefix).values()) for prefix in ("OPENAI", "ANTHROPIC"))
    models = (settings.OPENAI_MODEL, settings.ANTHROPIC_MODEL, settings.ANTHROPIC_MAX_TOKENS)
    return (settings.BUILTIN_TOKEN_DELAY_MS, *models, *apis)


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
        from llm.builtin.provider import BuiltinModel

        return BuiltinModel(token_delay_ms=settings.BUILTIN_TOKEN_DELAY_MS)
    if kind == "openai":
        from llm.openai_provider import OpenAIProvider

        return OpenAIProvider(model=model or settings.OPENAI_MODEL, **_api_options("OPENAI"))
    from llm.anthropic_provider import AnthropicProvider

    return AnthropicProvider(
        model=model or settings.ANTHROPIC_MODEL,
        max_tokens=settings.ANTHROPIC_MAX_TOKENS,
        **_api_options("ANTHROPIC"),
    )


def _api_options(prefix: str) -> dict[str, Any]:
    """Read <prefix>_API_KEY, _BASE_URL, _TIMEOUT_SECONDS, _MAX_RETRIES and the call bounds."""
    return {
        "api_key": getattr(settings, f"{prefix}_API_KEY"),
        "base_url": getattr(settings, f"{prefix}_BASE_URL"),
        "timeout": getattr(settings, f"{prefix}_TIMEOUT_SECONDS"),
        "max_retries": getattr(settings, f"{prefix}_MAX_RETRIES"),
        "max_seconds": settings.LLM_CALL_MAX_SECONDS,
        "max_output_chars": settings.LLM_OUTPUT_MAX_CHARS,
    }
