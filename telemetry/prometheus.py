"""Prometheus metrics of the chat service and their exposition at `/metrics`.

With `PROMETHEUS_MULTIPROC_DIR` set (before the process starts) prometheus_client keeps the
values in files of that directory, and the exposition sums every process's files, so any
daphne process behind a load balancer answers for all of them.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

# Seconds, from a cache-hit tool call (sub-millisecond) to a slow model's answer.
LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    20.0,
    30.0,
    60.0,
)
TOKEN_BUCKETS = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)

TTFT = Histogram(
    "chat_ttft_seconds", "Time from request to the first answer token.", buckets=LATENCY_BUCKETS
)
RUN_DURATION = Histogram(
    "chat_run_duration_seconds",
    "Time from request to the run's end, by final status.",
    ["status"],
    buckets=LATENCY_BUCKETS,
)
AGENT_DURATION = Histogram(
    "chat_agent_duration_seconds", "Time spent in each agent.", ["agent"], buckets=LATENCY_BUCKETS
)
TOOL_DURATION = Histogram(
    "chat_tool_call_duration_seconds",
    "Latency of DB tool calls.",
    ["tool", "ok"],
    buckets=LATENCY_BUCKETS,
)
TOKENS_STREAMED = Histogram(
    "chat_tokens_streamed", "Answer tokens streamed per run.", buckets=TOKEN_BUCKETS
)
MODEL_TOKENS = Counter(
    "chat_model_tokens", "Tokens reported by the model provider.", ["agent", "type"]
)
RUNS = Counter("chat_runs", "Chat runs by final status.", ["status"])
PROVIDER_ERRORS = Counter("chat_provider_errors", "Runs ended by a model provider error.")
HTTP_RESPONSES = Counter("http_responses", "HTTP responses by status class.", ["status_class"])
REDIS_ERRORS = Counter(
    "redis_errors", "Redis operations that failed, by operation and error.", ["operation", "kind"]
)
DATABASE_ERRORS = Counter(
    "database_errors",
    "Database failures (unreachable, or a statement given up on), by where and error.",
    ["operation", "kind"],
)
REDIS_DROPPED_RUNS = Counter(
    "redis_dropped_runs", "Runs whose events an outage of Redis outlasted the hold for."
)
RUN_RESUMPTIONS = Counter(
    "chat_run_resumptions",
    "Runs taken over by this process, by why: handed_over (their server stopped), "
    "lease_expired (it died or stalled) or given_up (out of attempts, recorded error).",
    ["reason"],
)
RUN_LEASES_LOST = Counter(
    "chat_run_leases_lost",
    "Runs this process was executing when another took them over (their writes refused).",
)
WEBHOOK_ATTEMPTS = Counter(
    "webhook_attempts",
    "Webhook delivery attempts by outcome: delivered, retry (failed, tried again) or failed.",
    ["outcome"],
)
STREAMS_IN_FLIGHT = Gauge(
    "chat_streams_in_flight", "Chat streams running now.", multiprocess_mode="livesum"
)


def exposition() -> tuple[bytes, str]:
    """Return the metrics page and its content type (every process's values in multi-process)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


def status_class(status: int) -> str:
    """Return `2xx`, `4xx`, ... for an HTTP status."""
    return f"{status // 100}xx"
