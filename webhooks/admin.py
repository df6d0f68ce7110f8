"""Admin for webhook deliveries: the delivery log (status, attempts, last error), and retry."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString

from console.toolkit import (
    WrittenByTheServiceMixin,
    admin_link,
    short,
    status_label,
    user_link,
)
from webhooks.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(WrittenByTheServiceMixin, admin.ModelAdmin):
    """Every delivery, newest first: where it goes, how it went, and why it failed last."""

    list_display = (
        "created_at", "status_column", "host", "run_column", "attempts", "error_column",
    )  # fmt: skip
    list_filter = ("status", ("created_at", admin.DateFieldListFilter))
    search_fields = ("id", "run__id", "user_id", "url")
    ordering = ("-created_at",)
    actions = ("retry_now",)
    fields = (
        "id", "status_column", "url", "run_column", "user_column", "attempts", "created_at",
        "next_attempt_at", "delivered_at", "response_status", "last_error",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description="status", ordering="status")
    def status_column(self, delivery: Delivery) -> SafeString:
        """The status as a coloured label."""
        return status_label(delivery.status)

    @admin.display(description="host")
    def host(self, delivery: Delivery) -> str:
        """The receiver's host (the path may carry a token: on the delivery's page only)."""
        return urlsplit(delivery.url).hostname or "?"

    @admin.display(description="run")
    def run_column(self, delivery: Delivery) -> str:
        """Link to the run that ended."""
        return admin_link(delivery.run)

    @admin.display(description="user", ordering="user_id")
    def user_column(self, delivery: Delivery) -> str:
        """Link to the user's page."""
        return user_link(delivery.user_id)

    @admin.display(description="last error")
    def error_column(self, delivery: Delivery) -> SafeString:
        """The last failure's first words, all of it on hover."""
        return short(delivery.last_error, 40)

    @admin.action(description="Retry the selected deliveries now")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        """Make failed or waiting deliveries due now (delivered ones are left alone)."""
        retried = queryset.exclude(status=Delivery.Status.DELIVERED).update(
            status=Delivery.Status.PENDING, next_attempt_at=timezone.now()
        )
        self.message_user(request, f"{retried} delivery(ies) will be retried now.", messages.INFO)
