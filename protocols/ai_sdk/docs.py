"""The OpenAPI description of the AI SDK's routes (Channels consumers, not Ninja)."""

from __future__ import annotations

AI_SDK_DOCS = """

## AI SDK UI message stream (`/ai-sdk`)

`useChat` (`@ai-sdk/react`) with `new DefaultChatTransport({api: ".../ai-sdk/chat", headers:
{Authorization: "Bearer KEY"}})`. docs/ai-sdk.md has the details.

- `POST /ai-sdk/chat`: `{id, messages, trigger}` (the last user message is the prompt; with the
  service key `userId` names the user; `onDisconnect`). The stream: `start`, `start-step` /
  `finish-step` per agent, `data-agent`, `tool-input-available` / `tool-output-available`,
  `text-start` / `text-delta` / `text-end`, `data-suggestions`, `message-metadata`, `finish`,
  `data: [DONE]`; `x-vercel-ai-ui-message-stream: v1`.
- `GET /ai-sdk/chat/{id}/stream`: the chat's active run from its start, then live; 204 when
  it has none.
"""
