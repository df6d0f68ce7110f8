"""The chat pipeline without runs, for the benchmark's baseline of what runs cost.

`POST /v1/chat/stream` here streams `ChatRun.events()` straight to the socket, as the
consumer did before runs existed: no run record, no replay buffer, no session lock, no
signals. Everything else is the project's ASGI application. Serve it with
`daphne bench.runless_app:application` from the project root; never deploy it.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orchestration_site.settings")
django_asgi_app = get_asgi_application()

from channels.generic.http import AsyncHttpConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path, re_path  # noqa: E402

from chat.runs import open_run  # noqa: E402
from chat.sse import SSE_HEADERS, encode_event  # noqa: E402


class RunlessChatConsumer(AsyncHttpConsumer):
    """Run the pipeline inside the request and write each event as it comes."""

    async def handle(self, body: bytes) -> None:
        """Stream one chat request (the benchmark sends only valid ones)."""
        run = await open_run(body, received_at=time.perf_counter())
        await self.send_headers(status=200, headers=SSE_HEADERS)
        number = 0
        async for event, data in run.events():
            number += 1
            await self.send_body(encode_event(number, event, data), more_body=True)
        await self.send_body(b"", more_body=False)
        await run.finish()

    async def disconnect(self) -> None:
        """Nothing to clean up."""


http_routes: Any = URLRouter(
    [
        path("v1/chat/stream", RunlessChatConsumer.as_asgi()),
        re_path(r"", django_asgi_app),
    ]
)
application = ProtocolTypeRouter({"http": http_routes})
