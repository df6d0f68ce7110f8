"""CORS headers and preflights for browser clients, on Django routes and the stream alike."""

from __future__ import annotations

import json

import pytest
from channels.testing import ApplicationCommunicator

from edge.cors import CorsMiddleware


async def echo_app(scope, receive, send):
    """A stand-in app answering 200 with one header."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"x-app", b"1")]})
    await send({"type": "http.response.body", "body": b"ok"})


async def call(origins, method="GET", headers=()):
    """Send one request through the middleware; return status and headers."""
    scope = {"type": "http", "method": method, "path": "/v1/chat/stream", "headers": list(headers)}
    communicator = ApplicationCommunicator(CorsMiddleware(echo_app, origins), scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(timeout=5)
    await communicator.receive_output(timeout=5)
    return start["status"], dict(start["headers"])


ORIGIN = (b"origin", b"https://app.example")
PREFLIGHT = (b"access-control-request-method", b"POST")


async def test_an_allowed_origin_gets_its_origin_back():
    status, headers = await call(["https://app.example"], headers=[ORIGIN])
    assert status == 200
    assert headers[b"access-control-allow-origin"] == b"https://app.example"
    assert headers[b"x-app"] == b"1"


async def test_a_star_allows_any_origin():
    _, headers = await call(["*"], headers=[ORIGIN])
    assert headers[b"access-control-allow-origin"] == b"*"


async def test_other_origins_get_no_cors_headers():
    _, headers = await call(["https://other.example"], headers=[ORIGIN])
    assert b"access-control-allow-origin" not in headers


async def test_no_configured_origins_means_no_cors():
    _, headers = await call([], headers=[ORIGIN])
    assert b"access-control-allow-origin" not in headers


async def test_a_preflight_is_answered_without_reaching_the_app():
    status, headers = await call(
        ["https://app.example"], method="OPTIONS", headers=[ORIGIN, PREFLIGHT]
    )
    assert status == 204
    assert b"authorization" in headers[b"access-control-allow-headers"]
    assert b"POST" in headers[b"access-control-allow-methods"]
    assert b"x-app" not in headers


async def test_a_browser_may_read_where_its_run_is():
    _, headers = await call(["https://app.example"], headers=[ORIGIN])
    exposed = headers[b"access-control-expose-headers"].split(b", ")
    assert {b"x-run-id", b"content-location", b"location"} <= set(exposed)


async def call_local(origin: bytes, method="GET", *, local=True, extra=()):
    """A request from `origin` through a middleware that allows loopback pages (or not)."""
    scope = {
        "type": "http",
        "method": method,
        "path": "/langgraph/info",
        "headers": [(b"origin", origin), *extra],
    }
    app = CorsMiddleware(echo_app, [], local=local)
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(timeout=5)
    body = await communicator.receive_output(timeout=5)
    return start["status"], dict(start["headers"]), body["body"]


@pytest.mark.parametrize(
    "origin", [b"http://localhost:3000", b"http://127.0.0.1:5173", b"http://[::1]:8080"]
)
async def test_a_development_server_lets_a_loopback_page_in_on_any_port(origin):
    status, headers, _ = await call_local(origin, "OPTIONS", extra=[PREFLIGHT])
    assert status == 204 and headers[b"access-control-allow-origin"] == origin
    status, headers, _ = await call_local(origin)
    assert status == 200 and headers[b"access-control-allow-origin"] == origin


@pytest.mark.parametrize(
    "origin", [b"https://localhost:3000", b"http://localhost.evil.example", b"http://10.0.0.5:3000"]
)
async def test_only_plain_loopback_origins_count_as_local(origin):
    status, headers, body = await call_local(origin, "OPTIONS", extra=[PREFLIGHT])
    assert status == 403 and b"access-control-allow-origin" not in headers
    assert origin.decode() in json.loads(body)["detail"]


async def test_without_local_origins_a_loopback_preflight_is_refused_clearly():
    status, headers, body = await call_local(
        b"http://localhost:3000", "OPTIONS", local=False, extra=[PREFLIGHT]
    )
    assert status == 403 and headers[b"content-type"] == b"application/json"
    assert json.loads(body) == {
        "detail": "Origin http://localhost:3000 is not allowed: add it to CORS_ORIGINS"
    }


async def test_an_options_request_that_is_no_preflight_reaches_the_route():
    status, _, _ = await call_local(b"http://elsewhere.example", "OPTIONS", local=False)
    assert status == 200  # the stand-in app's answer: the route decides
