"""The OpenAI API over the pipeline: models, chat completions and the Responses API.

Mounted under `/openai/v1` (see routes.py); the model is the whole pipeline, `orchestrator`.
docs/openai.md says what each route accepts and what it maps to.
"""
