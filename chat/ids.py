"""Primary keys that read the same on SQLite and MongoDB, and the shape of our other ids."""

from __future__ import annotations

from bson import ObjectId
from django.db import models

USER_ID_PATTERN = r"^[A-Za-z0-9_.:@-]{1,128}$"
"""A `userId`: 1-128 characters of A-Z a-z 0-9 _ . : @ - (request bodies, keys, commands)."""
SESSION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$"
"""A `sessionId`: the same, starting with a letter or digit (`.` and `..` cannot be URLs)."""


def new_object_id() -> str:
    """Return a new ObjectId as its 24-character hex string (time-ordered, unique)."""
    return str(ObjectId())


def object_id_primary_key() -> models.CharField:
    """Build the primary-key field every model of ours uses: a string stored in `_id`."""
    return models.CharField(
        primary_key=True,
        max_length=24,
        default=new_object_id,
        editable=False,
        db_column="_id",
        verbose_name="id",
    )
