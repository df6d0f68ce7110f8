"""Delivering the outbox: one worker per server process, each delivery claimed by one.

Every `WEBHOOK_POLL_SECONDS` (at once when a run ended here) the worker claims the due
deliveries: a conditional update moves each one's `next_attempt_at` past the attempt's end,
so that exactly one process takes it, and a process that dies mid-attempt leaves it to be
taken again when that time passes (at least once; the `webhook-id` header lets a receiver
drop a repeat). Each attempt POSTs the run's payload, signed, to the address checked
(webhooks/policy.py); a 2xx answer delivers it, anything else is retried with exponential
backoff until `WEBHOOK_RETRY_SECONDS` after the run ended, then recorded failed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from standardwebhooks import Webhook as Signer

from runs.models import Run
from telemetry.outages import Repeating
from telemetry.prometheus import WEBHOOK_ATTEMPTS
from webhooks.models import Delivery
from webhooks.outbox import listen
from webhooks.payloads import payload_of
from webhooks.policy import Address, WebhookRefused, resolve_allowed

logger = logging.getLogger(__name__)

BATCH = 20
"""The most deliveries one process claims at a time."""
BACKOFF_SECONDS = (1.0, 600.0)
"""The first and the longest wait between two attempts (doubling)."""
ANSWER_CHARS = 500
"""How much of a failed answer's body is kept as its error (the rest is not even read)."""
USER_AGENT = "chat-orchestrator-webhooks/1"


class DeliveryWorker:
    """Deliver this process's share of the outbox until cancelled."""

    def __init__(self) -> None:
        """Prepare the worker (`run` starts it)."""
        self.woken = asyncio.Event()
        self.client = httpx.AsyncClient(
            follow_redirects=False,  # a redirect could lead anywhere: it counts as a failure
            trust_env=False,
            timeout=httpx.Timeout(
                settings.WEBHOOK_TIMEOUT_SECONDS, connect=settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS
            ),
        )

    async def run(self) -> None:
        """Deliver what is due, then wait for a wake-up or the next poll; forever."""
        listen(asyncio.get_running_loop(), self.woken)
        attempts = Repeating(logger, "the webhook worker")
        try:
            while True:
                try:
                    while await self.deliver_due() == BATCH:
                        pass
                except Exception as exc:  # the database away, say: the next poll tries again
                    await attempts.failed(exc)
                else:
                    attempts.worked()
                self.woken.clear()
                try:
                    await asyncio.wait_for(self.woken.wait(), settings.WEBHOOK_POLL_SECONDS)
                except TimeoutError:
                    pass
        finally:
            await self.client.aclose()

    async def deliver_due(self) -> int:
        """Claim the due deliveries and attempt them together; return how many were claimed."""
        claimed = await claim_due(timezone.now())
        await asyncio.gather(*(self.attempt(delivery) for delivery in claimed))
        return len(claimed)

    async def attempt(self, delivery: Delivery) -> None:
        """POST the run's payload once; record the outcome (never raises)."""
        try:
            answer = await self.post(delivery)
        except Exception as exc:  # noqa: BLE001 - every failure is the delivery's outcome
            answer = None
            error = describe(exc)
        else:
            error = "" if 200 <= answer.status_code < 300 else answer.text
        try:
            outcome = await record_attempt(delivery, answer, error)
        except Exception:
            logger.exception("could not record webhook delivery %s", delivery.pk)
            return
        WEBHOOK_ATTEMPTS.labels(outcome=outcome).inc()
        if outcome != "delivered":
            logger.warning(
                "webhook delivery %s of run %s to %s: %s (%s)",
                delivery.pk,
                delivery.run_id,
                host_of(delivery.url),
                error,
                outcome,
            )

    async def post(self, delivery: Delivery) -> Answer:
        """Sign and send the delivery's payload to the address its URL resolves to."""
        address = await resolve_allowed(delivery.url)
        run = await Run.objects.aget(pk=delivery.run_id)
        payload = await payload_of(run)
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        url, host = pinned(delivery.url, address)
        headers = signed_headers(delivery.pk, body) | {
            "host": host,
            "content-type": "application/json",
            "user-agent": USER_AGENT,
        }
        extensions = {"sni_hostname": urlsplit(delivery.url).hostname or ""}
        request = self.client.build_request(
            "POST", url, content=body, headers=headers, extensions=extensions
        )
        async with asyncio.timeout(settings.WEBHOOK_TIMEOUT_SECONDS):
            response = await self.client.send(request, stream=True)
            try:
                text = ""
                if not 200 <= response.status_code < 300:
                    text = await read_some(response)
            finally:
                await response.aclose()
        return Answer(response.status_code, f"HTTP {response.status_code}: {text}".strip())


class Answer:
    """A receiver's answer: its status and, when it failed, the start of its body."""

    def __init__(self, status_code: int, text: str) -> None:
        """Keep the status and the text."""
        self.status_code = status_code
        self.text = text


def signed_headers(delivery_id: str, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers: the delivery's id, the time, the signature of both + body."""
    now = timezone.now()
    signature = Signer(settings.WEBHOOK_SECRET).sign(delivery_id, now, body)
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


def pinned(url: str, address: Address) -> tuple[str, str]:
    """`url` aimed at `address` (the one checked), and the Host header its name gives."""
    parts = urlsplit(url)
    userinfo, _, host = parts.netloc.rpartition("@")
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    netloc = f"{userinfo}@{netloc}" if userinfo else netloc
    return urlunsplit(parts._replace(netloc=netloc)), host


async def read_some(response: httpx.Response) -> str:
    """The start of a response's body (at most ANSWER_CHARS bytes are read)."""
    taken = b""
    async for chunk in response.aiter_raw():
        taken += chunk
        if len(taken) >= ANSWER_CHARS:
            break
    return taken[:ANSWER_CHARS].decode(errors="replace")


def describe(exc: BaseException) -> str:
    """A failed attempt's error, for the delivery log."""
    if isinstance(exc, WebhookRefused):
        return f"refused: {exc}"
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return "timed out"
    return f"{type(exc).__name__}: {exc}"[:ANSWER_CHARS]


def host_of(url: str) -> str:
    """The host a URL names (logs name hosts, not paths that may carry tokens)."""
    return urlsplit(url).hostname or "?"


@sync_to_async
def claim_due(now: datetime) -> list[Delivery]:
    """Take up to BATCH due deliveries for this process: each by one process only."""
    lease = now + timedelta(
        seconds=settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS + settings.WEBHOOK_TIMEOUT_SECONDS + 30
    )
    due = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
    claimed = []
    for delivery in due.order_by("next_attempt_at")[:BATCH]:
        taken = Delivery.objects.filter(
            pk=delivery.pk,
            status=Delivery.Status.PENDING,
            next_attempt_at=delivery.next_attempt_at,
        ).update(next_attempt_at=lease, attempts=F("attempts") + 1)
        if taken:
            delivery.attempts += 1
            claimed.append(delivery)
    return claimed


@sync_to_async
def record_attempt(delivery: Delivery, answer: Answer | None, error: str) -> str:
    """Record an attempt's outcome: delivered, retry (when) or failed; return which."""
    now = timezone.now()
    status_code = answer.status_code if answer is not None else None
    mine = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING)
    if not error:
        mine.update(
            status=Delivery.Status.DELIVERED,
            delivered_at=now,
            response_status=status_code,
            last_error="",
        )
        return "delivered"
    wait = min(BACKOFF_SECONDS[0] * 2 ** (delivery.attempts - 1), BACKOFF_SECONDS[1])
    retry_at = now + timedelta(seconds=wait)
    give_up_at = delivery.created_at + timedelta(seconds=settings.WEBHOOK_RETRY_SECONDS)
    fields = {"response_status": status_code, "last_error": error[: ANSWER_CHARS * 2]}
    if retry_at > give_up_at:
        mine.update(status=Delivery.Status.FAILED, **fields)
        return "failed"
    mine.update(next_attempt_at=retry_at, **fields)
    return "retry"
