"""Create the admin user once, so that `make run` always ends with a usable /admin.

With `--note-file PATH` what it would say (a generated password included) goes to a new file
that only its user can read, for the server to print under its URLs (`make run`), instead of
to standard output: a secret is never passed on a command line.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


@dataclass(frozen=True)
class AdminResult:
    """What ensure_admin did: whether it created the user, and a generated password if any."""

    created: bool
    username: str
    generated_password: str | None = None
    password_updated: bool = False


def ensure_admin(username: str, email: str, password: str) -> AdminResult:
    """Create a superuser `username` unless it exists; generate a password when none is given.

    An existing admin takes a given `password` when it differs from the current one, so that
    setting ADMIN_PASSWORD later takes effect on the next start.
    """
    users = get_user_model()
    existing = users.objects.filter(username=username).first()
    if existing is not None:
        if not password or existing.check_password(password):
            return AdminResult(created=False, username=username)
        existing.set_password(password)
        existing.save(update_fields=["password"])
        return AdminResult(created=False, username=username, password_updated=True)
    generated = None if password else secrets.token_urlsafe(12)
    users.objects.create_superuser(username=username, email=email, password=password or generated)
    return AdminResult(created=True, username=username, generated_password=generated)


class Command(BaseCommand):
    """Create the admin superuser once."""

    help = "Create the admin superuser (ADMIN_USERNAME / ADMIN_PASSWORD) if it does not exist."

    def add_arguments(self, parser: Any) -> None:
        """`--note-file PATH`: write what it says there (mode 0600) instead of printing it."""
        parser.add_argument("--note-file", default="", help="write the message to this new file")

    def handle(self, *args: object, **options: Any) -> None:
        """Ensure the admin exists and say how to log in."""
        result = ensure_admin(
            settings.ADMIN_USERNAME, settings.ADMIN_EMAIL, settings.ADMIN_PASSWORD
        )
        message = what_happened(result)
        if options["note_file"]:
            write_private(options["note_file"], message)
        else:
            self.stdout.write(self.style.WARNING(message) if result.generated_password else message)


def what_happened(result: AdminResult) -> str:
    """One line saying how to log in."""
    if result.password_updated:
        return f"Admin user {result.username!r}: password set from ADMIN_PASSWORD."
    if not result.created:
        return f"Admin user {result.username!r} exists."
    if result.generated_password:
        return (
            f"Created admin user {result.username!r} with password "
            f"{result.generated_password!r} (this run only; set ADMIN_PASSWORD to choose it)."
        )
    return f"Created admin user {result.username!r} (password from ADMIN_PASSWORD)."


def write_private(path: str, text: str) -> None:
    """Write `text` to a new file at `path` that only this user can read (replacing a stale one)."""
    if os.path.lexists(path):
        os.unlink(path)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as note:
        note.write(text + "\n")
