"""The OpenAPI description of the OpenAI API's routes (Channels consumers, not Ninja)."""

from __future__ import annotations

OPENAI_DOCS = """

## OpenAI API (`/openai/v1`)

The pipeline is also an OpenAI-compatible endpoint whose one model, `orchestrator`, is the
whole Planner → Worker → Critic → Synthesizer pipeline: `OpenAI(base_url=".../openai/v1",
api_key=KEY)`. Same keys (`Authorization: Bearer`), rate limits and edge checks as every route;
errors are OpenAI's `{"error": {"message", "type", "param", "code"}}`. docs/openai.md has the
details.

- `GET /openai/v1/models`, `GET /openai/v1/models/{id}`: the model `orchestrator`.
- `POST /openai/v1/chat/completions` (`stream` true or false): the client's `messages` are the
  context (system messages as instructions, the last user message as the prompt), or the
  session's memory when bound with `X-Session-Id` / `metadata.session_id`. With the service
  key `user` (or `safety_identifier`) names the end user. Progress in
  `delta.reasoning_content`, `suggestions` on the last chunk, `X-Run-Id` and `X-Session-Id`
  headers. `tools`, `n > 1`, `logprobs`, audio and non-text formats are 400s naming the param.
- `POST /openai/v1/responses` (`input`, `instructions`, `previous_response_id`, `stream`,
  `background`, `metadata`); `GET /openai/v1/responses/{id}` (`?stream=true&starting_after=N`:
  the events after sequence number N, then live); `POST /openai/v1/responses/{id}/cancel`;
  `DELETE /openai/v1/responses/{id}`; `GET /openai/v1/responses/{id}/input_items`. A response
  is a run (`resp_<runId>`); its status follows the run's.
"""
