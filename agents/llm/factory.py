"""Choose the configured LLM provider and reuse one instance of it per process."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from agents.llm.base import LLMProvider

BUILTIN_NAMES = ("builtin", "mock")
PROVIDER_NAMES = (*BUILTIN_NAMES, "openai")


def get_provider() -> LLMProvider:
    """Return the provider named by LLM_PROVIDER, shared while its settings stay the same.

    Raises:
        ImproperlyConfigured: when LLM_PROVIDER names no known provider.
    """
    name = settings.LLM_PROVIDER
    if name not in PROVIDER_NAMES:
        raise ImproperlyConfigured(
            f"LLM_PROVIDER={name!r} is not one of {', '.join(PROVIDER_NAMES)}."
        )
    return _provider_for(_configuration(name))


def reset_provider() -> None:
    """Forget the shared providers, so the next get_provider() reads settings afresh."""
    _provider_for.cache_clear()


def _configuration(name: str) -> tuple[Any, ...]:
    """Return the provider's kind and every setting it reads: the cache key."""
    if name in BUILTIN_NAMES:
        return ("builtin", settings.BUILTIN_TOKEN_DELAY_MS)
    return (
        "openai",
        settings.OPENAI_MODEL,
        settings.OPENAI_API_KEY,
        settings.OPENAI_BASE_URL,
        settings.OPENAI_TIMEOUT_SECONDS,
        settings.OPENAI_MAX_RETRIES,
    )


@lru_cache(maxsize=4)
def _provider_for(configuration: tuple[Any, ...]) -> LLMProvider:
    """Build the provider for `configuration`; the provider reads its settings itself."""
    if configuration[0] == "builtin":
        from agents.llm.builtin import BuiltinModel  # written separately; import when needed

        return BuiltinModel()
    from agents.llm.openai_provider import OpenAIProvider

    return OpenAIProvider()
