from __future__ import annotations

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Webhooks: the outbox a run's end writes, signed deliveries with retries, the URL policy."""

    name = "webhooks"
