"""`manage.py acceptance` against a real daphne: all checks pass, and a bad token fails them."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from operations.acceptance_checks import CHECKS


def test_every_acceptance_check_passes_against_the_live_server(server):
    out = io.StringIO()

    call_command("acceptance", "--url", server.url, "--token", "devkey", stdout=out)

    lines = out.getvalue().splitlines()
    assert [line for line in lines if line.startswith("PASS ")] == [
        f"PASS {name}" for name, _ in CHECKS
    ]
    assert not [line for line in lines if line.startswith("FAIL ")]
    assert f"RESULTS: {len(CHECKS)}/{len(CHECKS)} passed" in lines
    assert f"{len(CHECKS)} passed, 0 failed" in lines


def test_a_wrong_token_fails_the_checks_and_the_command(server):
    out = io.StringIO()

    with pytest.raises(CommandError, match="acceptance check\\(s\\) failed"):
        call_command("acceptance", "--url", server.url, "--token", "wrong", stdout=out)

    lines = out.getvalue().splitlines()
    assert "PASS health" in lines
    assert "FAIL sse_event_types: HTTP 401: Unauthorized" in lines
    assert "FAIL auth_and_validation_rejections: expected 422, got 401" in lines
    assert f"RESULTS: 1/{len(CHECKS)} passed" in lines
    assert f"1 passed, {len(CHECKS) - 1} failed" in lines
