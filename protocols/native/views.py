"""The playground page: a browser client of the SSE stream, served at `/`."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def playground(request: HttpRequest) -> HttpResponse:
    """Render the playground; with DEBUG on, its token field is prefilled with the dev token.

    Otherwise the page never carries the token (anyone who can open `/` would get it): the
    user types it once and the browser keeps it. The session and user ids live in the URL,
    the history comes from the JSON API and the answers from `POST /v1/chat/stream`.
    """
    token = settings.DEV_AUTH_TOKEN if settings.DEBUG else ""
    return render(request, "playground.html", {"dev_token": token})
