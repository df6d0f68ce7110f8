"""Admin for API keys: see who has keys, when they were last used, revoke them."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.keys import forget_key
from accounts.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created by `createapikey` or `POST /v1/keys`; here they are listed and revoked."""

    list_display = (
        "name", "prefix", "user_id", "is_active", "created_at", "last_used_at", "revoked_at"
    )  # fmt: skip
    list_filter = ("revoked_at",)
    search_fields = ("user_id", "name", "prefix")
    fields = ("name", "prefix", "user_id", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "user_id", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke",)
    show_full_result_count = False

    @admin.display(boolean=True, description="active", ordering="revoked_at")
    def is_active(self, key: ApiKey) -> bool:
        """Whether the key still works (a green tick), or was revoked (a red cross)."""
        return not key.revoked

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Keys are created where their secret can be shown once (command or API)."""
        return False

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        """Revoke the selected keys that are still active."""
        for key_id in queryset.values_list("pk", flat=True):
            forget_key(key_id)
        count = queryset.filter(revoked_at=None).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} key(s).", messages.SUCCESS)
