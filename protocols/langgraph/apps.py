"""The LangGraph protocol's app: it stores what threads and runs add to sessions and runs."""

from __future__ import annotations

from django.apps import AppConfig


class LangGraphProtocolConfig(AppConfig):
    """`protocols.langgraph`, labelled `langgraph_api` (not the `langgraph` library)."""

    name = "protocols.langgraph"
    label = "langgraph_api"
    verbose_name = "LangGraph API"

    def ready(self) -> None:
        """Give the webhooks of LangGraph runs LangGraph's payload."""
        from protocols.langgraph.webhooks import langgraph_payload
        from webhooks.payloads import register

        register(langgraph_payload)
