"""Seed one session with a long stored history, through the ORM, for the context-cost check.

Run as `python -m bench.common.seed_history SESSION_ID USER_ID COUNT` from the project root with the
benchmark server's environment (its SQLITE_PATH). The messages alternate user/assistant, one
second apart and all in the past; everything but the newest SHORT_TERM_K counts as already
summarised (`summarized_until`), which is how a long session looks in steady state.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta

BATCH = 5000


def seed(session_id: str, user_id: str, count: int) -> None:
    """Create the session and `count` messages in bulk."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from chat.models import Message, Session

    start = timezone.now() - timedelta(seconds=count + 60)
    stamps = [start + timedelta(seconds=n) for n in range(count)]
    kept = settings.SHORT_TERM_K
    with transaction.atomic():
        Session.objects.create(
            session_id=session_id,
            user_id=user_id,
            summary="The user asked many questions about streaming and their sessions.",
            summarized_until=stamps[-kept - 1] if count > kept else None,
        )
        Message.objects.bulk_create(
            (message(session_id, user_id, n, stamp) for n, stamp in enumerate(stamps)),
            batch_size=BATCH,
        )


def message(session_id: str, user_id: str, n: int, stamp: object) -> object:
    """The n-th seeded message: a short question or answer."""
    from chat.models import Message

    role = "user" if n % 2 == 0 else "assistant"
    content = f"Question {n}: what is SSE?" if role == "user" else f"Answer {n}: a stream."
    return Message(
        session_id=session_id,
        user_id=user_id,
        role=role,
        content=content,
        timestamp=stamp.timestamp(),
        created_at=stamp,
    )


def main(argv: list[str]) -> None:
    """Set Django up and seed the session named on the command line."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orchestration_site.settings")
    django.setup()
    session_id, user_id, count = argv[0], argv[1], int(argv[2])
    seed(session_id, user_id, count)


if __name__ == "__main__":
    main(sys.argv[1:])
