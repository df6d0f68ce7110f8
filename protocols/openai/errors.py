"""OpenAI's error shape: `{"error": {"message", "type", "param", "code"}}`, by status code.

The SDKs pick their exception class by status (401 AuthenticationError, 404 NotFoundError,
429 RateLimitError, …) and read `error.code` / `error.param`: every refusal of this protocol,
the shared edge's included, is rendered here.
"""

from __future__ import annotations

from typing import Any

from edge.errors import RequestRejected

TYPES = {401: "invalid_request_error", 403: "permission_error", 429: "requests"}
CODES = {
    401: "invalid_api_key",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "rate_limit_exceeded",
    503: "server_shutdown",
}


class OpenAIError(RequestRejected):
    """A refusal with OpenAI's `param` and `code` (400 invalid_request_error by default)."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Refuse with `message`, naming the offending `param` and a machine-readable `code`."""
        super().__init__(status, message, headers, param=param, code=code)


def unsupported(param: str, why: str) -> OpenAIError:
    """A parameter the pipeline cannot honour: 400 naming it."""
    return OpenAIError(f"{param}: {why}", param=param, code="unsupported_parameter")


def message_of(detail: Any) -> str:
    """A readable message from a rejection's detail (a string, or validation items)."""
    if isinstance(detail, list):
        return "; ".join(
            f"{'.'.join(map(str, item.get('loc', [])[1:]))}: {item.get('msg')}" for item in detail
        )
    return str(detail)


def error_body(rejected: RequestRejected) -> dict[str, Any]:
    """The JSON body of `rejected` in OpenAI's shape."""
    status = rejected.status
    error_type = TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    param = rejected.param
    code = rejected.code or CODES.get(status)
    if status >= 500 and code is None:
        code = "server_error"
    return {
        "error": {
            "message": message_of(rejected.detail),
            "type": error_type,
            "param": param,
            "code": code,
        }
    }


def stream_error(code: str, message: str) -> dict[str, Any]:
    """A failure after a chat completion's stream started: OpenAI's error object, in the stream."""
    return {"error": {"message": message, "type": "server_error", "param": None, "code": code}}
