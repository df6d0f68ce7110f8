"""System checks: refuse to serve with development secrets outside development.

Tagged as a deployment check, so `manage.py check --deploy` reports it and the server entry
point (`orchestration_site.server`) refuses to start on it, while development commands
(`seed`, `chat`, `migrate`) keep working with the defaults.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register

HINT = (
    "Set {name} to a long random value (e.g. `python -c 'import secrets; "
    "print(secrets.token_urlsafe(48))'`), or set DEBUG=true for development, or "
    "ALLOW_INSECURE_DEFAULTS=true to accept the risk."
)


TAG = "insecure_defaults"


@register(TAG, deploy=True)
def check_development_secrets(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Report SECRET_KEY / DEV_AUTH_TOKEN left at their development defaults with DEBUG off."""
    if settings.DEBUG or settings.ALLOW_INSECURE_DEFAULTS:
        return []
    errors = []
    if settings.SECRET_KEY in settings.DEVELOPMENT_SECRET_KEYS:
        errors.append(
            Error(
                "SECRET_KEY has its development default while DEBUG is off.",
                hint=HINT.format(name="SECRET_KEY"),
                id="accounts.E001",
            )
        )
    if settings.DEV_AUTH_TOKEN == settings.DEVELOPMENT_AUTH_TOKEN:
        errors.append(
            Error(
                "DEV_AUTH_TOKEN (the service key) has its development default 'devkey' while "
                "DEBUG is off.",
                hint=HINT.format(name="DEV_AUTH_TOKEN"),
                id="accounts.E002",
            )
        )
    return errors


@register(TAG, deploy=True)
def check_service_key_user(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Warn when the service key acts for a default user outside development."""
    if settings.DEBUG or settings.ALLOW_INSECURE_DEFAULTS or not settings.SERVICE_KEY_USER:
        return []
    return [
        Warning(
            f"SERVICE_KEY_USER is {settings.SERVICE_KEY_USER!r}: a request with the service key "
            "that names no user acts as that user.",
            hint="Leave SERVICE_KEY_USER empty to require a named user (docs/keys.md), or "
            "give clients per-user keys.",
            id="accounts.W001",
        )
    ]
