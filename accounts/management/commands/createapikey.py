"""Create a user key: `manage.py createapikey USER_ID [--name N]` prints the key once."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.keys import create_key
from chat.models import USER_ID_PATTERN

USER_ID = re.compile(USER_ID_PATTERN)


class Command(BaseCommand):
    """Create an API key bound to one user."""

    help = "Create an API key that acts as USER_ID; the key is printed once, only its hash is kept."

    def add_arguments(self, parser: CommandParser) -> None:
        """USER_ID and an optional --name."""
        parser.add_argument("user_id", metavar="USER_ID")
        parser.add_argument("--name", default="", help="A label for the key (e.g. the client).")

    def handle(self, *args: Any, **options: Any) -> None:
        """Create the key and print it."""
        user_id = options["user_id"]
        if not USER_ID.fullmatch(user_id):
            raise CommandError("USER_ID must be 1-128 characters of A-Z a-z 0-9 _ . : @ -")
        new = create_key(user_id, options["name"][:100])
        self.stdout.write(
            f"Created key {new.row.pk} ({new.row.prefix}…) for user {user_id!r}. "
            "It is shown once; store it now:"
        )
        self.stdout.write(new.secret)
