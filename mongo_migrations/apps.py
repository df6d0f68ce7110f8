"""App configs for Django's own apps on MongoDB, switched on by settings only with MONGO_URI.

MongoDB has no auto-increment, so admin, auth and contenttypes need ObjectId primary keys and
the migrations in this package (generated offline, see DESIGN.md and `make mongo-migrations`).
"""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.apps import AuthConfig
from django.contrib.contenttypes.apps import ContentTypesConfig

OBJECT_ID_AUTO_FIELD = "django_mongodb_backend.fields.ObjectIdAutoField"


class MongoAdminConfig(AdminConfig):
    """`django.contrib.admin` with ObjectId primary keys."""

    default_auto_field = OBJECT_ID_AUTO_FIELD


class MongoAuthConfig(AuthConfig):
    """`django.contrib.auth` with ObjectId primary keys."""

    default_auto_field = OBJECT_ID_AUTO_FIELD


class MongoContentTypesConfig(ContentTypesConfig):
    """`django.contrib.contenttypes` with ObjectId primary keys."""

    default_auto_field = OBJECT_ID_AUTO_FIELD
