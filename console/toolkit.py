"""Admin behaviour every page of the console shares: read-only history, links, labels, tables.

History (messages, suggestions, runs, tool calls, metrics) is written by the pipeline only:
operators view it, never edit it nor delete it row by row. Every row links to the rows it
belongs to, ids are shortened with the full value on hover, statuses are coloured labels, and
big tables are paged without a full `COUNT(*)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection, models
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

EXACT_BELOW = 100_000
"""Tables the database estimates at fewer rows than this are counted exactly."""
SHORT_ID = 8
PG_ESTIMATE = "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass"
DASH = "—"
SESSION_LOOKUP = "session__session_id__exact"


def estimated_rows(model: type[models.Model]) -> int | None:
    """The row count the database keeps in its statistics (None where it keeps none).

    PostgreSQL's planner estimate and MongoDB's collection metadata are read without touching
    a row; SQLite keeps no estimate (and counts an index quickly).
    """
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table]
            )
            row = cursor.fetchone()
        return int(row[0]) if row and row[0] >= 0 else None
    if connection.vendor == "mongodb":
        return int(connection.get_collection(table).estimated_document_count())
    return None


class EstimatedCountPaginator(Paginator):
    """Pages of a big table: an unfiltered list shows the database's estimate, not a COUNT(*)."""

    exact_below = EXACT_BELOW

    @cached_property
    def count(self) -> int:
        """The exact count of a filtered list or a small table, else the estimate."""
        queryset = self.object_list
        if isinstance(queryset, models.QuerySet) and not queryset.query.where:
            estimate = estimated_rows(queryset.model)
            if estimate is not None and estimate >= self.exact_below:
                return estimate
        return super().count


class WrittenByTheServiceMixin:
    """Rows the service writes (runs, deliveries, crons): viewed, never added or edited by hand.

    Lists fit a million rows: no exact count, no count per filter choice. What an operator
    may change is an action of the admin's (retry, pause); deleting stays allowed unless a
    subclass forbids it.
    """

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice would scan the table
    paginator = EstimatedCountPaginator
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        """Forbid adding rows by hand."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        """Forbid editing rows (the change page still renders, read-only)."""
        return False


class ReadOnlyHistoryMixin(WrittenByTheServiceMixin):
    """History is written by the pipeline only: operators may view and delete, never edit.

    History rows belong to a session: `session_column` links to it (put it in list_display).
    """

    list_select_related: tuple[str, ...] = ("session",)
    search_fields: tuple[str, ...] = ("session__session_id",)

    @admin.display(description="session", ordering="session")
    def session_column(self, row: Any) -> str:
        """Link to the row's session."""
        return session_link(row.session)

    @admin.display(description="user", ordering="user_id")
    def user_column(self, row: Any) -> str:
        """Link to the row's user page."""
        return user_link(row.user_id)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        """Allow `?session__session_id__exact=`: a session's page links its rows so."""
        return lookup == SESSION_LOOKUP or super().lookup_allowed(lookup, value, request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        """Forbid deleting history rows: a session goes whole (`DELETE /v1/sessions/{id}`).

        A run deleted alone would leave its messages, metric and tool calls behind, and the
        rollups still counting it.
        """
        return False


class PresenceFilter(admin.SimpleListFilter):
    """Rows whose `field` is set, or empty: a subclass names the field and the two choices."""

    field = ""
    present: tuple[str, str] = ("set", "set")
    absent: tuple[str, str] = ("empty", "empty")

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        """The two choices, as (value, label)."""
        return [self.present, self.absent]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
        """Keep the chosen rows."""
        if self.value() == self.present[0]:
            return queryset.exclude(**{self.field: None})
        if self.value() == self.absent[0]:
            return queryset.filter(**{self.field: None})
        return queryset


class ReadOnlyInline(ReadOnlyHistoryMixin, admin.TabularInline):
    """A read-only inline of history rows on another row's page."""

    extra = 0
    can_delete = False
    show_change_link = True


def short(value: str | None, length: int = SHORT_ID, *, tail: bool = False) -> SafeString:
    """A long id or text cut to `length` characters, the whole value shown on hover.

    `tail` keeps the end instead: our ids are ObjectIds, whose first characters are the
    time they were made and whose last ones tell them apart.
    """
    if not value:
        return format_html("{}", DASH)
    if len(value) <= length:
        return format_html("{}", value)
    cut = f"…{value[-length:]}" if tail else f"{value[:length]}…"
    return format_html('<span title="{}">{}</span>', value, cut)


def link(url: str, text: str, *, length: int = SHORT_ID, tail: bool = False) -> SafeString:
    """A link whose text is shortened like `short`."""
    return format_html('<a href="{}">{}</a>', url, short(text, length, tail=tail))


def admin_link(row: models.Model | None, text: str | None = None, length: int = SHORT_ID) -> str:
    """Link to a row's admin page, its text the end of its id unless given (a dash for none)."""
    if row is None:
        return DASH
    meta = row._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk])
    return link(url, text or str(row.pk), length=length, tail=text is None)


def session_link(session: Any) -> str:
    """Link to a session's page, by its sessionId."""
    return admin_link(session, session.session_id if session else None, length=24)


def user_link(user_id: str) -> str:
    """Link to a user's page of the dashboard."""
    if not user_id:
        return DASH
    return link(reverse("admin:telemetry_user", args=[user_id]), user_id, length=24)


def status_label(status: str) -> SafeString:
    """A run status as a coloured label (class `status-<status>`, styled in base_site.html)."""
    return format_html('<span class="status status-{}">{}</span>', status, status)


def ok_label(ok: bool) -> SafeString:
    """A tool call's outcome as a coloured label."""
    return format_html(
        '<span class="status status-{}">{}</span>', *(("ok", "ok") if ok else ("error", "refused"))
    )


def table(headers: Iterable[str], rows: Iterable[Iterable[object]]) -> SafeString:
    """A compact read-only table; each cell is escaped unless it is already safe HTML."""
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    body = format_html_join(
        "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((c,) for c in r)),) for r in rows)
    )
    return format_html('<table class="console"><thead><tr>{}</tr></thead>{}</table>', head, body)


def duration(run: Any) -> str:
    """How long a run took, in seconds (a dash until it has ended)."""
    if not run.finished_at:
        return DASH
    return f"{(run.finished_at - run.created_at).total_seconds():.2f} s"
