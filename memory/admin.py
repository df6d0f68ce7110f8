"""Admin for what the assistant keeps for users: notes, and their long-term memories."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.safestring import SafeString

from console.toolkit import short, user_link
from memory import longterm
from memory.models import MemoryItem, Note


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    """Notes saved through `db.insert`, newest first, each linked to its user's page."""

    list_display = ("created_at", "user_column", "session_id", "content_column")
    list_filter = (("created_at", admin.DateFieldListFilter),)
    search_fields = ("content", "user_id", "session_id")
    ordering = ("-created_at",)
    show_full_result_count = False

    @admin.display(description="user", ordering="user_id")
    def user_column(self, note: Note) -> str:
        """Link to the user's page."""
        return user_link(note.user_id)

    @admin.display(description="content")
    def content_column(self, note: Note) -> SafeString:
        """The note's first 80 characters, all of it on hover."""
        return short(note.content, 80)


class MemoryForm(forms.ModelForm):
    """Only what a memory says is edited here (its value's `text`, re-embedded on save)."""

    class Meta:
        model = MemoryItem
        fields = ("text",)
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


@admin.register(MemoryItem)
class MemoryItemAdmin(admin.ModelAdmin):
    """Users' long-term memories: searchable, editable (re-embedded), deletable one by one."""

    form = MemoryForm
    list_display = ("updated_at", "user_column", "namespace", "text_column", "source", "used_at")
    list_filter = ("source", ("updated_at", admin.DateFieldListFilter))
    search_fields = ("text", "user_id", "key")
    readonly_fields = ("user_id", "namespace", "key", "source", "session_id", "run_id")
    readonly_fields += ("embedder", "created_at", "updated_at", "used_at")
    ordering = ("-updated_at",)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Memories come from chats and the API, not from the console."""
        return False

    def save_model(
        self, request: HttpRequest, obj: MemoryItem, form: forms.ModelForm, change: bool
    ) -> None:
        """Store the new text through long-term memory, so that it is embedded again."""
        namespace = longterm.split(obj.namespace)
        value = {**obj.value, "text": form.cleaned_data["text"]}
        longterm.put(obj.user_id, namespace, obj.key, value, source=obj.source)

    def delete_model(self, request: HttpRequest, obj: MemoryItem) -> None:
        """Forget it through long-term memory (which every server's index then follows)."""
        longterm.delete_items(obj.user_id, MemoryItem.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[MemoryItem]) -> None:
        """Forget the chosen memories, user by user, through long-term memory."""
        for user_id in sorted(set(queryset.values_list("user_id", flat=True))):
            longterm.delete_items(user_id, queryset)

    @admin.display(description="user", ordering="user_id")
    def user_column(self, item: MemoryItem) -> str:
        """Link to the user's page."""
        return user_link(item.user_id)

    @admin.display(description="text")
    def text_column(self, item: MemoryItem) -> SafeString:
        """The memory's first 80 characters, all of it on hover."""
        return short(item.text, 80)
