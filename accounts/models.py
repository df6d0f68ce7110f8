"""API keys bound to a user, stored hashed."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from chat.models import object_id_primary_key


class ApiKey(models.Model):
    """A user key: acts as its user only. Only the SHA-256 of the secret is stored."""

    id = object_id_primary_key()
    user_id = models.CharField("user", max_length=128, db_column="userId")
    name = models.CharField(max_length=100, blank=True, default="")
    prefix = models.CharField(
        max_length=16, help_text="The key's first characters, to tell keys apart."
    )
    key_hash = models.CharField("SHA-256", max_length=64, unique=True, db_column="keyHash")
    created_at = models.DateTimeField("created", default=timezone.now, db_column="createdAt")
    last_used_at = models.DateTimeField("last used", null=True, blank=True, db_column="lastUsedAt")
    revoked_at = models.DateTimeField("revoked", null=True, blank=True, db_column="revokedAt")

    class Meta:
        db_table = "api_keys"
        ordering = ["-created_at"]
        verbose_name = "API key"
        indexes = [models.Index(fields=["user_id", "-created_at"], name="api_keys_user_created")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    @property
    def revoked(self) -> bool:
        """Whether the key has been revoked."""
        return self.revoked_at is not None
