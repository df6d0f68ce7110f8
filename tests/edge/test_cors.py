"""CORS headers and preflights for browser clients, on Django routes and the stream alike."""

from __future__ import annotations

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
