"""The outbox: a run's end owes its delivery in the same transaction; claims, retries, the log."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from runs.models import Run
from runs.store import close_run
from webhooks.delivery import Answer, claim_due, pinned, record_attempt
from webhooks.models import Delivery
from webhooks.outbox import Webhook


@pytest.fixture
def run(alice_session) -> Run:
    """A running run of alice's that names a webhook."""
    return Run.objects.create(
        session=alice_session, user_id="alice", status="running", webhook="https://h.example/x"
    )


def test_a_run_that_ends_owes_one_delivery_and_a_second_close_owes_none(run):
    hook = Webhook(run.webhook, "alice")
    assert close_run(run.pk, run.session_id, "ok", webhook=hook)
    assert not close_run(run.pk, run.session_id, "error", webhook=hook)  # already ended
    (delivery,) = Delivery.objects.filter(run=run)
    assert (delivery.url, delivery.user_id, delivery.status) == (run.webhook, "alice", "pending")


def test_a_run_without_a_webhook_owes_nothing(run):
    close_run(run.pk, run.session_id, "ok", webhook=Webhook("", "alice"))
    assert not Delivery.objects.exists()


@pytest.mark.django_db(transaction=True)
async def test_a_due_delivery_is_claimed_by_one_claimer_only(run):
    delivery = await Delivery.objects.acreate(run=run, user_id="alice", url=run.webhook)
    now = timezone.now()
    first, second = await claim_due(now), await claim_due(now)
    assert [d.pk for d in first] == [delivery.pk] and second == []
    claimed = await Delivery.objects.aget(pk=delivery.pk)
    assert claimed.attempts == 1 and claimed.next_attempt_at > now  # its claim, until then


@pytest.mark.django_db(transaction=True)
async def test_failures_back_off_doubling_and_give_up_after_the_retry_window(run, settings):
    settings.WEBHOOK_RETRY_SECONDS = 60
    delivery = await Delivery.objects.acreate(run=run, user_id="alice", url=run.webhook)
    waits = []
    for attempts in (1, 2, 3):
        delivery.attempts = attempts
        before = timezone.now()
        assert await record_attempt(delivery, Answer(503, "HTTP 503: busy"), "HTTP 503: busy") == (
            "retry"
        )
        stored = await Delivery.objects.aget(pk=delivery.pk)
        waits.append(round((stored.next_attempt_at - before).total_seconds()))
        assert (stored.response_status, stored.last_error) == (503, "HTTP 503: busy")
    assert waits == [1, 2, 4]
    delivery.created_at = timezone.now() - timedelta(seconds=61)
    assert await record_attempt(delivery, None, "ConnectError: refused") == "failed"
    assert (await Delivery.objects.aget(pk=delivery.pk)).status == "failed"


@pytest.mark.django_db(transaction=True)
async def test_a_2xx_delivers_and_clears_the_error(run):
    delivery = await Delivery.objects.acreate(
        run=run, user_id="alice", url=run.webhook, last_error="timed out"
    )
    assert await record_attempt(delivery, Answer(202, ""), "") == "delivered"
    stored = await Delivery.objects.aget(pk=delivery.pk)
    assert (stored.status, stored.response_status, stored.last_error) == ("delivered", 202, "")


@pytest.mark.parametrize(
    ("url", "address", "expected"),
    [
        ("https://h.example/x?a=1", "93.184.215.14", ("https://93.184.215.14/x?a=1", "h.example")),
        (
            "http://h.example:8080/x",
            "2606:4700::1",
            ("http://[2606:4700::1]:8080/x", "h.example:8080"),
        ),
        ("https://u:p@h.example/x", "93.184.215.14", ("https://u:p@93.184.215.14/x", "h.example")),
    ],
)  # fmt: skip
def test_an_attempt_goes_to_the_checked_address_with_the_urls_host(url, address, expected):
    assert pinned(url, ipaddress.ip_address(address)) == expected


def test_the_delivery_log_renders_and_retries_failed_ones(admin_client, run):
    failed = Delivery.objects.create(
        run=run, user_id="alice", url=run.webhook, status="failed", last_error="HTTP 500"
    )
    assert admin.site.is_registered(Delivery)
    listing = admin_client.get(reverse("admin:webhooks_delivery_changelist"))
    assert listing.status_code == 200 and b"h.example" in listing.content
    page = admin_client.get(reverse("admin:webhooks_delivery_change", args=[failed.pk]))
    assert page.status_code == 200 and b"HTTP 500" in page.content
    admin_client.post(
        reverse("admin:webhooks_delivery_changelist"),
        {"action": "retry_now", "_selected_action": [failed.pk]},
    )
    failed.refresh_from_db()
    assert failed.status == "pending" and failed.next_attempt_at <= timezone.now()
    assert admin_client.get(reverse("admin:webhooks_delivery_add")).status_code == 403
