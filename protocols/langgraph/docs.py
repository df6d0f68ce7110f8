"""The OpenAPI description of the LangGraph API's routes (Channels consumers, not Ninja)."""

from __future__ import annotations

LANGGRAPH_DOCS = """

## LangGraph Agent Server API (`/langgraph`)

The pipeline is also a LangGraph server with one assistant, graph `orchestrator`:
`get_client(url=".../langgraph", api_key=KEY)` (Python `langgraph-sdk`), `new Client({apiUrl,
apiKey})` and `useStream` (JS). Keys in `x-api-key` (what the SDKs send) or
`Authorization: Bearer`; errors are LangGraph's `{"detail": …}`. A thread is a session.
docs/langgraph.md has the details.

- `GET /langgraph/info`; `POST /langgraph/assistants/search`, `GET /langgraph/assistants/{id}`.
- `POST /langgraph/threads`, `POST /langgraph/threads/search`,
  `GET|PATCH|DELETE /langgraph/threads/{id}`, `GET /langgraph/threads/{id}/state`,
  `GET /langgraph/threads/{id}/state/{checkpoint_id}`,
  `POST /langgraph/threads/{id}/state/checkpoint`, `POST /langgraph/threads/{id}/state` (a
  state edit: `values`, `as_node`, `checkpoint`), `POST|GET /langgraph/threads/{id}/history`
  (the thread's checkpoints, docs/checkpoints.md). With the service key a thread names its
  user in `metadata.user_id`.
- `POST /langgraph/threads/{id}/runs/stream`, `POST /langgraph/threads/{id}/runs`,
  `POST /langgraph/threads/{id}/runs/wait`, and thread-less `POST /langgraph/runs/stream`,
  `POST /langgraph/runs`, `POST /langgraph/runs/wait`: `input.messages` (the last human
  message is the prompt), `stream_mode` (`values`, `updates`, `messages`, `messages-tuple`,
  `custom`), `on_disconnect`, `multitask_strategy` (`enqueue`, `reject`, `interrupt`,
  `rollback`), `if_not_exists`, `metadata`, `webhook` (a signed POST when the run ends,
  docs/webhooks.md); `interrupt_before`, `interrupt_after`, `command` (`{"resume": …}`),
  `checkpoint_id` / `checkpoint` (a fork), `durability`, `config.configurable.approve_writes`
  (docs/checkpoints.md).
- `GET /langgraph/threads/{id}/runs`, `GET|DELETE /langgraph/threads/{id}/runs/{run_id}`,
  `GET /langgraph/threads/{id}/runs/{run_id}/join`,
  `GET /langgraph/threads/{id}/runs/{run_id}/stream` (`Last-Event-ID`: the parts after it),
  `POST /langgraph/threads/{id}/runs/{run_id}/cancel` (`wait`, `action=interrupt|rollback`).
- Crons (docs/crons.md): `POST /langgraph/threads/{id}/runs/crons`, `POST /langgraph/runs/crons`,
  `POST /langgraph/runs/crons/search`, `POST /langgraph/runs/crons/count`,
  `GET|PATCH|DELETE /langgraph/runs/crons/{cron_id}`.
"""
