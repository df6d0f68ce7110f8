"""The OpenAI protocol's app: it stores what a Responses API response adds to its run."""

from __future__ import annotations

from django.apps import AppConfig


class OpenAIProtocolConfig(AppConfig):
    """`protocols.openai`, labelled `openai_api` (not to be confused with the `openai` SDK)."""

    name = "protocols.openai"
    label = "openai_api"
    verbose_name = "OpenAI API"
