"""The LangGraph protocol's app: it stores what threads and runs add to sessions and runs."""

from __future__ import annotations

from django.apps import AppConfig


class LangGraphProtocolConfig(AppConfig):
    """`protocols.langgraph`, labelled `langgraph_api` (not the `langgraph` library)."""

    name = "protocols.langgraph"
    label = "langgraph_api"
    verbose_name = "LangGraph API"

    def ready(self) -> None:
        """Give LangGraph runs' webhooks LangGraph's payload; let LangGraph's crons fire."""
        from protocols.langgraph.crons import register_crons
        from protocols.langgraph.webhooks import langgraph_payload
        from webhooks.payloads import register

        register(langgraph_payload)
        register_crons()
