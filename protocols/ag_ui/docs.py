"""The OpenAPI description of AG-UI's route (a Channels consumer, not Ninja)."""

from __future__ import annotations

AG_UI_DOCS = """

## AG-UI (`/ag-ui`)

`new HttpAgent({url: ".../ag-ui", headers: {Authorization: "Bearer KEY"}})` from
`@ag-ui/client` (and CopilotKit). docs/ag-ui.md has the details.

- `POST /ag-ui`: a `RunAgentInput` (`threadId` = the session, `runId`, `messages`: the last
  user message is the prompt; with the service key `forwardedProps.userId` names the user;
  client-side `tools`, `state` and `context` are ignored). SSE events: `RUN_STARTED`,
  `STEP_STARTED` / `STEP_FINISHED` per agent, `TOOL_CALL_START` / `TOOL_CALL_ARGS` /
  `TOOL_CALL_END` / `TOOL_CALL_RESULT` per DB tool call, `TEXT_MESSAGE_START` /
  `TEXT_MESSAGE_CONTENT` / `TEXT_MESSAGE_END`, `CUSTOM` (`plan`, `critic_verdict`,
  `suggestions`), `RUN_FINISHED` (with usage) or `RUN_ERROR`.
"""
