"""Create the admin user once, so that `make run` always ends with a usable /admin."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

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

    def handle(self, *args: object, **options: object) -> None:
        """Ensure the admin exists and say how to log in."""
        result = ensure_admin(
            settings.ADMIN_USERNAME, settings.ADMIN_EMAIL, settings.ADMIN_PASSWORD
        )
        if result.password_updated:
            self.stdout.write(f"Admin user {result.username!r}: password set from ADMIN_PASSWORD.")
        elif not result.created:
            self.stdout.write(f"Admin user {result.username!r} exists.")
        elif result.generated_password:
            self.stdout.write(
                self.style.WARNING(
                    f"Created admin user {result.username!r} with password "
                    f"{result.generated_password!r} "
                    "(this run only; set ADMIN_PASSWORD to choose it)."
                )
            )
        else:
            self.stdout.write(
                f"Created admin user {result.username!r} (password from ADMIN_PASSWORD)."
            )
