"""`/metrics`: the Prometheus exposition, for allowed addresses or a bearer token only."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from accounts.addresses import client_address
from telemetry.prometheus import exposition

FORBIDDEN = "Forbidden: /metrics needs METRICS_TOKEN or an address in METRICS_ALLOWED_IPS"


def may_scrape(request: HttpRequest) -> bool:
    """Whether the caller bears METRICS_TOKEN or comes from METRICS_ALLOWED_IPS."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    try:
        peer = request.META.get("REMOTE_ADDR", "")
        forwarded = request.headers.get("X-Forwarded-For")
        address = ipaddress.ip_address(client_address(peer, forwarded))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Serve the Prometheus text format, or 403 to anyone else."""
    if not may_scrape(request):
        return JsonResponse({"detail": FORBIDDEN}, status=403)
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)
