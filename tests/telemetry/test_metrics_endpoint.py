"""`/metrics` access: loopback by default, other addresses refused, a token lets a scraper in."""

from __future__ import annotations

import ipaddress

from prometheus_client.parser import text_string_to_metric_families


def networks(*addresses: str) -> list:
    """Parsed METRICS_ALLOWED_IPS."""
    return [ipaddress.ip_network(address) for address in addresses]


def test_loopback_may_scrape_by_default(client, db):
    response = client.get("/metrics")
    assert response.status_code == 200
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert {
        "chat_ttft_seconds",
        "chat_run_duration_seconds",
        "chat_agent_duration_seconds",
        "chat_tool_call_duration_seconds",
        "chat_tokens_streamed",
        "chat_runs",
        "chat_provider_errors",
        "http_responses",
        "chat_streams_in_flight",
    } <= names


def test_another_address_is_refused(client, db):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert "METRICS_ALLOWED_IPS" in response.json()["detail"]


def test_an_allowed_network_may_scrape(client, db, settings):
    settings.METRICS_ALLOWED_NETWORKS = networks("10.0.0.0/8")
    assert client.get("/metrics", REMOTE_ADDR="10.2.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_the_token_opens_it_from_anywhere_and_a_wrong_one_does_not(client, db, settings):
    settings.METRICS_TOKEN = "scrape-secret"
    good = {"Authorization": "Bearer scrape-secret"}
    bad = {"Authorization": "Bearer scrape-secreT"}
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", headers=good).status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", headers=bad).status_code == 403


def test_only_get_is_served(client, db):
    assert client.post("/metrics").status_code == 405
