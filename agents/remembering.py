"""What a user's message says about them, as facts to remember (after the answer is stored).

The run's model lists them (`FactsRequest`: the built-in model's reading, or one structured
call to a hosted model, counted in the run's usage). Only a message with a first-person
statement is asked about: a question or a request costs no call. A failure costs the
memory, never the answer: it is logged and counted (agents/degraded.py).
"""

from __future__ import annotations

from agents.degraded import clamped, skipped
from agents.schemas import Facts
from llm.base import LLMProvider, ProviderError
from llm.builtin.memory import says_about_its_user
from llm.requests import FactsRequest


async def facts_told(provider: LLMProvider, text: str) -> list[tuple[str, str]]:
    """(about, statement) for each thing `text` says about its user; [] when none or failing."""
    if not says_about_its_user(text):
        return []
    try:
        found = await provider.structured(FactsRequest(text=text), Facts)
    except ProviderError as exc:
        skipped("memory", "facts", str(exc))
        return []
    clamped("memory", found.clamped)
    return [(fact.about, fact.statement) for fact in found.facts]
