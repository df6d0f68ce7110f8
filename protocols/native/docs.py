"""The OpenAPI description of the two SSE endpoints (served by Channels consumers, not Ninja)."""

from __future__ import annotations

STREAM_DOCS = """

## Streaming endpoints (Server-Sent Events)

These two endpoints are served in front of this JSON API (Channels consumers in `asgi.py`),
so they do not appear as operations below; they take the same keys (the service key or a
user key, as `Authorization: Bearer <key>` or `token: <key>`).

### `POST /v1/chat/stream`
Body: `{"sessionId", "userId", "prompt", "onDisconnect"?, "multitaskStrategy"?, "webhook"?}`;
with a user key `userId` may be left out (it is the key's user) and must match when given.
- `onDisconnect`: `"cancel"` (default: the run stops when the client leaves) or `"continue"`
  (the run finishes and stores its answer; rejoin it with the stream below).
- `multitaskStrategy`, when the session already has an active run: `"enqueue"` (default: the
  new run waits, with heartbeats, and starts when the active one ends), `"reject"` (409
  `{"detail", "activeRunId"}` before any event) or `"interrupt"` (the active run is cancelled
  and recorded `interrupted`, then the new one starts).
- `webhook`: an absolute http(s) URL that gets a signed `POST` of the run when it ends
  (docs/webhooks.md); a URL that may not be called is a 422 naming it.
- `interruptBefore`, `interruptAfter` (agent names, or `"*"`), `approveWrites`: pause for a
  person (docs/checkpoints.md); `checkpointId`: start from one of the session's checkpoints.
- `resume` instead of `prompt`: continue the session's paused run (`null`, or
  `{"decisions": [...]}` for writes to review); 409 when nothing waits, 422 for decisions that
  do not fit.

Errors before the stream, each a JSON `{"detail"}`: 400 (not JSON, too deep, a number too
long, a header byte not UTF-8, a Host outside `ALLOWED_HOSTS`), 401, 403 (the service key names
a user whose session it is not; a user key's body names another `userId`), 404 (a user key
names another user's session), 405, 409, 413, 415, 422, 429 (`Retry-After`), 500, 503
(shutting down). A stream answers 200 with `Content-Type: text/event-stream`, `X-Run-Id`,
`Content-Location: /v1/runs/{runId}`, `Location: /v1/runs/{runId}/stream`, then `retry: <ms>`
and the events.

### `GET /v1/runs/{runId}/stream`
Join or resume a run: the events after `Last-Event-ID` (header) or `?lastEventId=` (none: from
the start), then live ones until the run ends, with no gap and no duplicate. Leaving never
cancels the run. 204 when the run has ended and the client has its last event (an
EventSource stops reconnecting). Errors, each a JSON `{"detail"}`: 400 (header bytes, Host),
401, 404 (unknown run, or another user's), 405, 410 (the run's events are no longer retained,
`RUN_REPLAY_SECONDS`, or were lost to an outage of Redis, `"code": "events_lost"`; its answer
is in the messages), 422 (malformed id or Last-Event-ID), 429, 503 (`database_unavailable`,
`redis_unavailable`: retry after `Retry-After`).

### Events
Each is `id: <n>` (1, 2, 3, … within the run), `event: <type>`, `data: <JSON>`:
- `run` `{"runId", "sessionId", "status"}`: always the first event.
- `context` `{"budget", "tokens", "summary", "turns", "memories"}`: what the agents are given
  (the summary, the recent turns kept and dropped, what was recalled from earlier chats), in
  estimated tokens against the budget.
- `agent` `{"name", "status"}` when an agent starts and ends (with `durationMs`, tokens and,
  for the planner and the critic, `output`: the plan, the verdict and whether it retries).
- `tool_call_started` `{"tool", "args"}`; `tool_call_completed` `{"tool", "ok", "latencyMs"}`.
- `token` `{"text"}`: the answer's tokens, in order.
- `done` `{"fullText", "suggestions", "timings", "usage", "messageId", "sessionId"}`: the last
  event.
- `interrupted` `{"next", "interrupts", "checkpoint"}`: the last event of a run that paused
  for a person (recorded `waiting`); a body with `resume` continues it.
- `resumed` `{"attempt", "reason", "supersedes", "checkpoint"}`: another server took the run
  over (its server stopped or died) and goes on from its last checkpoint; every earlier event
  with an id above `supersedes` is void (its agent is redone).
- `error` `{"code", "message"}`: the last event; codes `provider_error`, `internal_error`,
  `cancelled`, `interrupted`, `resumption_failed`, `server_shutdown` (sent without an id when
  the stream's server stops while the run goes on elsewhere: resume it there).
Comments (`: heartbeat`) fill silences of `SSE_HEARTBEAT_SECONDS`.
"""
