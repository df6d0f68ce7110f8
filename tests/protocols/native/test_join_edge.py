"""The edge of `GET /v1/runs/{runId}/stream`, in-process through the whole ASGI application.

The join shares the stream's first checks (edge.checks.admit_caller): method, header bytes,
Host, then the key, so none of these reaches a run, known or not.
"""

from __future__ import annotations

import json

import pytest

from tests.support.keyed_requests import join, raw_headers

pytestmark = pytest.mark.django_db(transaction=True)
RUN = "0" * 24
SERVICE = raw_headers("devkey", "bearer")


async def test_a_join_header_that_is_not_utf8_is_a_400():
    status, _, body = await join(RUN, [*SERVICE, (b"x-note", b"caf\xe9")])
    assert (status, json.loads(body)) == (400, {"detail": "Header bytes must be valid UTF-8"})


async def test_a_join_with_a_host_outside_allowed_hosts_is_a_400_before_the_key():
    status, _, body = await join(RUN, [], host=b"evil.example")
    expected = {"detail": "Invalid Host header: add it to ALLOWED_HOSTS"}
    assert (status, json.loads(body)) == (400, expected)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
async def test_a_join_with_another_method_is_a_405_naming_get(method):
    status, headers, body = await join(RUN, SERVICE, method=method)
    assert (status, json.loads(body)) == (405, {"detail": "Method not allowed: use GET"})
    assert headers[b"allow"] == b"GET"


async def test_a_join_with_a_wrong_key_is_a_401_with_www_authenticate():
    status, headers, body = await join(RUN, raw_headers("oak_nope", "token-header"))
    assert (status, json.loads(body)) == (401, {"detail": "Unauthorized"})
    assert headers[b"www-authenticate"].startswith(b"Bearer")
