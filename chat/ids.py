"""Primary keys that read the same on SQLite and MongoDB."""

from __future__ import annotations

from bson import ObjectId
from django.db import models


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
