"""The service's own protocol: `POST /v1/chat/stream`, the run join, the JSON API, the playground.

(The original's contract, docs/api.md.)
"""
