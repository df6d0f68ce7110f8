"""Creating, revoking and looking up API keys.

A key is `oak_` + 43 URL-safe characters (32 random bytes). A secret that random needs
only a fast hash: the database keeps its SHA-256 and the first characters as a prefix.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import ApiKey

KEY_MARK = "oak_"
PREFIX_CHARS = 12
LAST_USED_RESOLUTION = timedelta(minutes=1)
RECENT_KEYS_MAX = 10_000

# Keys this process found active lately, by hash: (monotonic expiry, row). Unknown keys are
# never kept (a new key works at once); a revocation here drops the key (`forget_key`).
_recent: dict[str, tuple[float, ApiKey]] = {}


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


async def lookup_active_key(secret: str) -> ApiKey | None:
    """`find_active_key`, reusing this process's answer for API_KEY_CACHE_SECONDS."""
    digest, now = hash_key(secret), time.monotonic()
    recent = _recent.get(digest)
    if recent is not None and recent[0] > now:
        return recent[1]
    key = await find_active_key(secret)
    if key is not None and settings.API_KEY_CACHE_SECONDS > 0:
        if len(_recent) >= RECENT_KEYS_MAX:
            _recent.clear()
        _recent[digest] = (now + settings.API_KEY_CACHE_SECONDS, key)
    return key


def forget_key(key_id: str) -> None:
    """Drop a key from this process's recent lookups (it was revoked)."""
    for digest in [d for d, (_, key) in _recent.items() if key.pk == key_id]:
        _recent.pop(digest, None)


async def revoke_key(key_id: str) -> bool:
    """Revoke a key by id; return False when there is no such key."""
    forget_key(key_id)
    updated = await ApiKey.objects.filter(pk=key_id, revoked_at=None).aupdate(
        revoked_at=timezone.now()
    )
    return bool(updated) or await ApiKey.objects.filter(pk=key_id).aexists()
