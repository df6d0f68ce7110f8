"""Creating, revoking and looking up API keys.

A key is `oak_` + 43 URL-safe characters (32 random bytes). A secret that random needs
only a fast hash: the database keeps its SHA-256 and the first characters as a prefix.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import ApiKey

KEY_MARK = "oak_"
PREFIX_CHARS = 12
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewKey:
    """A key just created: the stored row and the secret, shown this once."""

    row: ApiKey
    secret: str


def hash_key(secret: str) -> str:
    """Return the SHA-256 hex digest of a presented key."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(user_id: str, name: str = "") -> NewKey:
    """Create a key for `user_id` and return it with its secret."""
    secret = KEY_MARK + secrets.token_urlsafe(32)
    row = ApiKey.objects.create(
        user_id=user_id, name=name, prefix=secret[:PREFIX_CHARS], key_hash=hash_key(secret)
    )
    return NewKey(row=row, secret=secret)


def looks_like_user_key(token: str) -> bool:
    """Whether a token has the shape of a user key (else it can only be the service key)."""
    return token.startswith(KEY_MARK)


async def find_active_key(secret: str) -> ApiKey | None:
    """Return the unrevoked key with this secret, noting its use at most once a minute."""
    key = await ApiKey.objects.filter(key_hash=hash_key(secret), revoked_at=None).afirst()
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        key.last_used_at = now
        await ApiKey.objects.filter(pk=key.pk).aupdate(last_used_at=now)
    return key


async def revoke_key(key_id: str) -> bool:
    """Revoke a key by id; return False when there is no such key."""
    updated = await ApiKey.objects.filter(pk=key_id, revoked_at=None).aupdate(
        revoked_at=timezone.now()
    )
    return bool(updated) or await ApiKey.objects.filter(pk=key_id).aexists()
