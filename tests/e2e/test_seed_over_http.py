"""`manage.py seed --url`: the seed conversation over HTTP against a real daphne."""

from __future__ import annotations

import io

import httpx
import pytest
from django.core.management import CommandError, call_command


def test_seed_over_http_recalls_alice_and_stores_the_turns(server):
    out = io.StringIO()

    call_command(
        "seed", "--url", server.url, "--token", "devkey", "--session", "seed-http", stdout=out
    )

    assert "Seeding session seed-http as seed-user" in out.getvalue()
    assert "Your name is Alice." in out.getvalue()
    assert "Recall OK" in out.getvalue()
    stored = httpx.get(
        f"{server.url}/v1/sessions/seed-http", headers={"Authorization": "Bearer devkey"}
    )
    assert stored.json()["messageCount"] == 6


def test_seed_over_http_reports_a_rejected_token(server):
    with pytest.raises(CommandError, match="rejected \\(HTTP 401: Unauthorized\\)"):
        call_command("seed", "--url", server.url, "--token", "wrong", stdout=io.StringIO())
