"""Per-agent models: one provider per role behind the provider interface."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

from llm.base import ROLES, LLMProvider, ModelT, Role
from llm.requests import ModelRequest


class ModelRouter(LLMProvider):
    """Send each request to the provider configured for its role."""

    name = "router"

    def __init__(self, providers: Mapping[Role, LLMProvider]) -> None:
        """Route with `providers`, which must name one provider for every role."""
        missing = [role for role in ROLES if role not in providers]
        if missing:
            raise ValueError(f"no provider for {', '.join(missing)}")
        self.providers = dict(providers)

    def for_role(self, role: Role) -> LLMProvider:
        """Return the provider that answers `role`."""
        return self.providers[role]

    def models(self) -> dict[str, str]:
        """Return 'provider:model' per role, as a run's metric records it."""
        return {role: provider.describe() for role, provider in self.providers.items()}

    def describe(self) -> str:
        """Return the roles' models, one 'role=provider:model' each."""
        return ", ".join(f"{role}={model}" for role, model in self.models().items())

    async def complete(self, request: ModelRequest) -> str:
        """Return the role's provider's whole answer."""
        return await self.for_role(request.role).complete(request)

    async def stream(self, request: ModelRequest) -> AsyncIterator[str]:
        """Stream the role's provider's answer."""
        async for piece in self.for_role(request.role).stream(request):
            yield piece

    async def structured(self, request: ModelRequest, schema: type[ModelT]) -> ModelT:
        """Return the role's provider's structured answer."""
        return await self.for_role(request.role).structured(request, schema)

    async def aclose(self) -> None:
        """Close every distinct provider once."""
        for provider in {id(p): p for p in self.providers.values()}.values():
            await provider.aclose()
