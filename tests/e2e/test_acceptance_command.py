"""`manage.py acceptance` against a real daphne: all checks pass, and a bad token fails them."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from django.core.management import CommandError, call_command

from operations.acceptance_checks import CHECKS


def acceptance_sessions(server) -> set[str]:
    """The ids of the acceptance user's sessions on the server."""
    sessions = httpx.get(
        f"{server.url}/v1/sessions?userId=acceptance-user&limit=100",
        headers={"Authorization": "Bearer devkey"},
    ).json()["sessions"]
    return {session["sessionId"] for session in sessions}


def test_every_acceptance_check_passes_against_the_live_server(server):
    out = io.StringIO()
    before = acceptance_sessions(server)

    call_command("acceptance", "--url", server.url, "--token", "devkey", stdout=out)

    lines = out.getvalue().splitlines()
    assert [line for line in lines if line.startswith("PASS ")] == [
        f"PASS {name}" for name, _ in CHECKS
    ]
    assert not [line for line in lines if line.startswith("FAIL ")]
    assert lines[-1] == f"RESULTS: {len(CHECKS)}/{len(CHECKS)} passed (0 failed)"
    assert len([line for line in lines if "RESULTS" in line or " passed" in line]) == 1
    assert re.fullmatch(r"Deleted the checks' \d+ acceptance-… session\(s\)\.", lines[-2])
    assert acceptance_sessions(server) == before


def test_keep_leaves_the_checks_sessions_for_inspection(server):
    out = io.StringIO()
    before = acceptance_sessions(server)

    call_command("acceptance", "--url", server.url, "--token", "devkey", "--keep", stdout=out)

    assert "Deleted" not in out.getvalue()
    assert len(acceptance_sessions(server) - before) >= len(CHECKS) - 2


def test_a_wrong_token_fails_the_checks_and_the_command(server):
    out = io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("acceptance", "--url", server.url, "--token", "wrong", stdout=out)

    lines = out.getvalue().splitlines()
    assert "PASS health" in lines
    assert "FAIL sse_event_types: HTTP 401: Unauthorized" in lines
    assert "FAIL auth_and_validation_rejections: expected 422, got 401" in lines
    assert str(failed.value) == f"RESULTS: 1/{len(CHECKS)} passed ({len(CHECKS) - 1} failed)"
    assert not any("RESULTS" in line for line in lines), "the verdict is said once, as the error"
