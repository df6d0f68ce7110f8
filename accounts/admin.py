"""Admin for API keys: who has keys, when they were used; create one (secret shown once), revoke."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.keys import create_key, forget_key
from accounts.models import ApiKey
from console.toolkit import PresenceFilter, user_link


class NewKeyForm(forms.ModelForm):
    """The two things a new key needs: its user and a name to tell it apart."""

    class Meta:
        model = ApiKey
        fields = ("user_id", "name")


class StatusFilter(PresenceFilter):
    """Active or revoked keys."""

    title = "status"
    parameter_name = "status"
    field = "revoked_at"
    present = ("revoked", "revoked")
    absent = ("active", "active")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys by user: add one here (its secret is shown once, on the next page), revoke them."""

    list_display = (
        "prefix_column", "name", "user_column", "status", "created_at", "last_used_at", "revoked_at"
    )  # fmt: skip
    list_filter = (StatusFilter,)
    search_fields = ("user_id", "name", "prefix")
    readonly_fields = (
        "prefix_column", "user_column", "status", "created_at", "last_used_at", "revoked_at"
    )  # fmt: skip
    actions = ("revoke",)
    show_full_result_count = False

    def get_form(self, request: HttpRequest, obj: ApiKey | None = None, **kwargs: Any) -> Any:
        """A new key asks for its user and name; an existing one lets only its name change."""
        if obj is None:
            kwargs["form"] = NewKeyForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> list[str]:
        """The add form's two fields, or the key's name and read-only facts."""
        if obj is None:
            return ["user_id", "name"]
        return ["name", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        """Nothing is read-only on the add form."""
        return () if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        """Create a new key through `create_key` and show its secret this once."""
        if change:
            super().save_model(request, obj, form, change)
            return
        new = create_key(obj.user_id, obj.name)
        obj.pk, obj.prefix, obj.key_hash = new.row.pk, new.row.prefix, new.row.key_hash
        obj._state.adding = False
        message = format_html(
            'The key for {} is <code class="secret-once">{}</code>. Copy it now: it is '
            "shown this once (only its hash is stored).",
            new.row.user_id,
            new.secret,
        )
        self.message_user(request, message, messages.WARNING)

    @admin.display(description="key", ordering="prefix")
    def prefix_column(self, key: ApiKey) -> str:
        """The key's first characters, as it is shown everywhere."""
        return f"{key.prefix}…"

    @admin.display(description="user", ordering="user_id")
    def user_column(self, key: ApiKey) -> str:
        """Link to the user's page."""
        return user_link(key.user_id)

    @admin.display(description="status", ordering="revoked_at")
    def status(self, key: ApiKey) -> SafeString:
        """Active (green) or revoked (grey)."""
        state = "revoked" if key.revoked else "active"
        return format_html('<span class="status status-{}">{}</span>', state, state)

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        """Revoke the selected keys that are still active."""
        for key_id in queryset.values_list("pk", flat=True):
            forget_key(key_id)
        count = queryset.filter(revoked_at=None).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} key(s).", messages.SUCCESS)
