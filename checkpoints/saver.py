"""LangGraph's checkpoint saver over the Django ORM: one saver for SQLite, PostgreSQL, MongoDB.

It implements `BaseCheckpointSaver` as LangGraph's own savers do (checked by LangGraph's
conformance suite, `langgraph-checkpoint-conformance`, in the tests), so that the graph
checkpoints through the same database, connections, transactions and outage handling as every
other row of the service. The serializer is LangGraph's `JsonPlusSerializer` in its strict
mode: only the types the graph's state declares are revived from a row.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Model as DjangoModel
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    get_checkpoint_id,
    get_checkpoint_metadata,
)
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from chat.models import new_object_id
from checkpoints import models

Model = TypeVar("Model", bound=DjangoModel)
NEW_THREAD = "__new_thread__"
"""A config key saying that the thread was just created: it has no checkpoint to read."""
FENCE = "__fence__"
"""A config key holding a check that the writer still holds the run (raises if not); each
write runs it in the write's own transaction, so a writer that lost it writes nothing."""
SQL_VENDORS = frozenset({"sqlite", "postgresql"})
"""The databases whose reads go through `Model.objects.raw` (see `select`)."""

LIST_CHUNK = 100
"""Rows read at a time when listing (a metadata filter is applied as they are read)."""
CHECKPOINT_KEY = ["thread_id", "checkpoint_ns", "checkpoint_id"]
CHECKPOINT_FIELDS = ["parent_checkpoint_id", "run_id", "kind", "data", "metadata_kind", "metadata"]
WRITE_KEY = ["thread_id", "checkpoint_ns", "checkpoint_id", "task_id", "idx"]
WRITE_FIELDS = ["channel", "kind", "data", "task_path"]


@contextmanager
def fenced(config: RunnableConfig) -> Iterator[None]:
    """Run the config's fence (`FENCE`), if any, in one transaction with the write inside."""
    fence = config["configurable"].get(FENCE)
    if fence is None:
        yield
        return
    with transaction.atomic():
        fence()
        yield


def serializer(allowed: Iterable[type]) -> JsonPlusSerializer:
    """LangGraph's serializer, strict: a row revives only LangGraph's own types and `allowed`."""
    return JsonPlusSerializer(allowed_msgpack_modules=tuple(allowed) or None)


class DjangoSaver(BaseCheckpointSaver[str]):
    """Checkpoints and pending writes in the `checkpoints` and `checkpoint_writes` tables."""

    def __init__(self, allowed: Iterable[type] = ()) -> None:
        """A saver with LangGraph's strict serializer that also revives the `allowed` classes."""
        super().__init__(serde=serializer(allowed))

    # --- reading -------------------------------------------------------------------------

    def metadata_of(self, row: models.Checkpoint) -> CheckpointMetadata:
        """A row's metadata, decoded."""
        return self.serde.loads_typed((row.metadata_kind, bytes(row.metadata)))

    def checkpoint_of(self, row: models.Checkpoint) -> Checkpoint:
        """A row's checkpoint, its channel values included, decoded."""
        return self.serde.loads_typed((row.kind, bytes(row.data)))

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """The checkpoint `config` names, or the thread's latest in its namespace."""
        configurable = config["configurable"]
        if configurable.get(NEW_THREAD) and not get_checkpoint_id(config):
            return None
        where = {
            "thread_id": configurable["thread_id"],
            "checkpoint_ns": configurable.get("checkpoint_ns", ""),
        }
        if checkpoint_id := get_checkpoint_id(config):
            where["checkpoint_id"] = checkpoint_id
        found = select(models.Checkpoint, where, order="-checkpoint_id", limit=1)
        return self.as_tuple(found[0]) if found else None

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """Checkpoints newest first, matching the config, `before` and the metadata filter."""
        rows = models.Checkpoint.objects.all()
        if config is not None:
            configurable = config["configurable"]
            rows = rows.filter(thread_id=configurable["thread_id"])
            if (namespace := configurable.get("checkpoint_ns")) is not None:
                rows = rows.filter(checkpoint_ns=namespace)
            if checkpoint_id := get_checkpoint_id(config):
                rows = rows.filter(checkpoint_id=checkpoint_id)
        if before is not None and (before_id := get_checkpoint_id(before)):
            rows = rows.filter(checkpoint_id__lt=before_id)
        rows = rows.order_by("thread_id", "checkpoint_ns", "-checkpoint_id")
        left = limit
        for row in chunked(rows):
            if left is not None and left <= 0:
                return
            metadata = self.metadata_of(row)
            if filter and any(metadata.get(key) != value for key, value in filter.items()):
                continue
            if left is not None:
                left -= 1
            yield self.as_tuple(row, metadata)

    def as_tuple(
        self, row: models.Checkpoint, metadata: CheckpointMetadata | None = None
    ) -> CheckpointTuple:
        """The row as LangGraph's `CheckpointTuple`, with its pending writes."""
        where = {"thread_id": row.thread_id, "checkpoint_ns": row.checkpoint_ns}
        writes = select(models.CheckpointWrite, {**where, "checkpoint_id": row.checkpoint_id})
        ordered = sorted(writes, key=lambda w: (w.task_path, w.task_id, w.idx))
        return CheckpointTuple(
            config={"configurable": {**where, "checkpoint_id": row.checkpoint_id}},
            checkpoint=self.checkpoint_of(row),
            metadata=self.metadata_of(row) if metadata is None else metadata,
            parent_config=(
                {"configurable": {**where, "checkpoint_id": row.parent_checkpoint_id}}
                if row.parent_checkpoint_id
                else None
            ),
            pending_writes=[
                (w.task_id, w.channel, self.serde.loads_typed((w.kind, bytes(w.data))))
                for w in ordered
            ],
        )

    # --- writing -------------------------------------------------------------------------

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Store the checkpoint with the values of its channels (the ones it versions)."""
        configurable = config["configurable"]
        thread_id, namespace = configurable["thread_id"], configurable.get("checkpoint_ns", "")
        versions = checkpoint["channel_versions"]
        values = {k: v for k, v in checkpoint["channel_values"].items() if k in versions}
        kind, data = self.serde.dumps_typed({**checkpoint, "channel_values": values})
        metadata = get_checkpoint_metadata(config, metadata)
        metadata_kind, metadata_data = self.serde.dumps_typed(metadata)
        row = models.Checkpoint(
            thread_id=thread_id,
            checkpoint_ns=namespace,
            checkpoint_id=checkpoint["id"],
            parent_checkpoint_id=configurable.get("checkpoint_id") or "",
            run_id=str(metadata.get("run_id") or ""),
            kind=kind,
            data=data,
            metadata_kind=metadata_kind,
            metadata=metadata_data,
        )
        with fenced(config):
            upsert(models.Checkpoint, [row], CHECKPOINT_KEY, CHECKPOINT_FIELDS)
        return {
            "configurable": {
                "thread_id": thread_id,
                "checkpoint_ns": namespace,
                "checkpoint_id": checkpoint["id"],
            }
        }

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Store a task's writes; a regular write is kept once, a special one replaced."""
        configurable = config["configurable"]
        where = {
            "thread_id": configurable["thread_id"],
            "checkpoint_ns": configurable.get("checkpoint_ns", ""),
            "checkpoint_id": configurable["checkpoint_id"],
            "task_id": task_id,
        }
        rows = []
        for index, (channel, value) in enumerate(writes):
            kind, data = self.serde.dumps_typed(value)
            idx = WRITES_IDX_MAP.get(channel, index)
            rows.append(
                models.CheckpointWrite(
                    **where, idx=idx, channel=channel, kind=kind, data=data, task_path=task_path
                )
            )
        # An error, an interrupt: the latest of each kind (one row per key and statement).
        special = list({row.idx: row for row in rows if row.idx < 0}.values())
        regular = [row for row in rows if row.idx >= 0]  # a task's write: the first is kept
        with fenced(config):
            if special:
                upsert(models.CheckpointWrite, special, WRITE_KEY, WRITE_FIELDS)
            if regular:
                insert_new(models.CheckpointWrite, regular, WRITE_KEY)

    # --- deleting and copying ------------------------------------------------------------

    def delete_thread(self, thread_id: str) -> None:
        """Delete every checkpoint and write of the thread."""
        models.Checkpoint.objects.filter(thread_id=thread_id).delete()
        models.CheckpointWrite.objects.filter(thread_id=thread_id).delete()

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Delete the checkpoints the runs wrote, and their writes."""
        rows = models.Checkpoint.objects.filter(run_id__in=list(run_ids))
        for key in rows.values("thread_id", "checkpoint_ns", "checkpoint_id"):
            models.CheckpointWrite.objects.filter(**key).delete()
        rows.delete()

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Copy every checkpoint and write of one thread to another."""
        checkpoints = []
        for row in models.Checkpoint.objects.filter(thread_id=source_thread_id):
            metadata = self.metadata_of(row)
            if metadata.get("thread_id"):
                metadata["thread_id"] = target_thread_id
            row.pk, row.thread_id = new_object_id(), target_thread_id
            row.metadata_kind, row.metadata = self.serde.dumps_typed(metadata)
            checkpoints.append(row)
        writes = []
        for write in models.CheckpointWrite.objects.filter(thread_id=source_thread_id):
            write.pk, write.thread_id = new_object_id(), target_thread_id
            writes.append(write)
        with transaction.atomic():
            if checkpoints:
                upsert(models.Checkpoint, checkpoints, CHECKPOINT_KEY, CHECKPOINT_FIELDS)
            if writes:
                upsert(models.CheckpointWrite, writes, WRITE_KEY, WRITE_FIELDS)

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """Delete the threads' checkpoints, all but each namespace's latest with keep_latest."""
        for thread_id in thread_ids:
            if strategy != "keep_latest":
                self.delete_thread(thread_id)
                continue
            rows = models.Checkpoint.objects.filter(thread_id=thread_id)
            for namespace in set(rows.values_list("checkpoint_ns", flat=True)):
                keep_latest(thread_id, namespace)

    # --- async: the same on Django's thread for database work ------------------------------

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """`get_tuple` off the event loop."""
        return await sync_to_async(self.get_tuple)(config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """`list` off the event loop (read whole: a thread's history is short)."""
        found = await sync_to_async(
            lambda: list(self.list(config, filter=filter, before=before, limit=limit))
        )()
        for item in found:
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """`put` off the event loop."""
        return await sync_to_async(self.put)(config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """`put_writes` off the event loop."""
        await sync_to_async(self.put_writes)(config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        """`delete_thread` off the event loop."""
        await sync_to_async(self.delete_thread)(thread_id)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        """`delete_for_runs` off the event loop."""
        await sync_to_async(self.delete_for_runs)(run_ids)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """`copy_thread` off the event loop."""
        await sync_to_async(self.copy_thread)(source_thread_id, target_thread_id)

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """`prune` off the event loop."""
        await sync_to_async(self.prune)(thread_ids, strategy=strategy)

    def get_next_version(self, current: str | None, channel: None) -> str:
        """Versions that sort as strings: a zero-padded counter (LangGraph's savers' shape)."""
        number = 0 if current is None else int(str(current).split(".")[0])
        return f"{number + 1:032}"


def select(
    model: type[Model], where: dict[str, str], *, order: str = "", limit: int = 0
) -> list[Model]:
    """The rows matching `where` (each field equal), ordered and limited.

    On SQL databases through `Model.objects.raw` with the statement built once per shape:
    the read before every run (the thread's latest checkpoint and its writes) costs a fifth of
    a queryset's compilation. Elsewhere (MongoDB) a queryset.
    """
    connection = connections[router.db_for_read(model)]
    if connection.vendor not in SQL_VENDORS:
        rows = model.objects.filter(**where).order_by(*([order] if order else []))
        return list(rows[:limit] if limit else rows)
    sql = select_sql(model, connection.alias, tuple(where), order, limit)
    return list(model.objects.using(connection.alias).raw(sql, list(where.values())))


@functools.cache
def select_sql(
    model: type[DjangoModel], alias: str, fields: tuple[str, ...], order: str, limit: int
) -> str:
    """The SELECT of `select`, quoted for the connection's database."""
    quote = connections[alias].ops.quote_name
    meta = model._meta
    columns = ", ".join(quote(field.column) for field in meta.concrete_fields)
    sql = f"SELECT {columns} FROM {quote(meta.db_table)}"
    sql += " WHERE " + " AND ".join(f"{quote(meta.get_field(f).column)} = %s" for f in fields)
    if order:
        column = quote(meta.get_field(order.lstrip("-")).column)
        sql += f" ORDER BY {column} {'DESC' if order.startswith('-') else 'ASC'}"
    return sql + (f" LIMIT {int(limit)}" if limit else "")


def upsert(model: type[Model], rows: list[Model], key: list[str], fields: list[str]) -> None:
    """Insert the rows, replacing `fields` of any with the same `key`.

    One statement where the database can (INSERT … ON CONFLICT DO UPDATE), a lookup per row
    elsewhere (MongoDB).
    """
    if features_of(model).supports_update_conflicts_with_target:
        model.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=key, update_fields=fields
        )
        return
    for row in rows:
        lookup = {name: getattr(row, name) for name in key}
        model.objects.update_or_create(**lookup, defaults={f: getattr(row, f) for f in fields})


def insert_new(model: type[Model], rows: list[Model], key: list[str]) -> None:
    """Insert the rows whose `key` is not stored yet (the stored ones are kept)."""
    if features_of(model).supports_ignore_conflicts:
        model.objects.bulk_create(rows, ignore_conflicts=True)
        return
    for row in rows:
        lookup = {name: getattr(row, name) for name in key}
        if not model.objects.filter(**lookup).exists():
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:  # written meanwhile: the first one stays
                pass


def features_of(model: type[DjangoModel]) -> Any:
    """The features of the database the model's rows are written to."""
    return connections[router.db_for_write(model)].features


def keep_latest(thread_id: str, namespace: str, *, older_than: datetime | None = None) -> int:
    """Delete all but the latest checkpoint of one namespace of a thread, and their writes.

    With `older_than`, only those written before it (retention); the number deleted.
    """
    rows = models.Checkpoint.objects.filter(thread_id=thread_id, checkpoint_ns=namespace)
    latest = rows.order_by("-checkpoint_id").values_list("checkpoint_id", flat=True).first()
    if latest is None:
        return 0
    expired = rows.exclude(checkpoint_id=latest)
    writes = models.CheckpointWrite.objects.filter(thread_id=thread_id, checkpoint_ns=namespace)
    writes = writes.exclude(checkpoint_id=latest)
    if older_than is not None:
        expired = expired.filter(created_at__lt=older_than)
        ids = list(expired.values_list("checkpoint_id", flat=True))
        if not ids:
            return 0
        writes = writes.filter(checkpoint_id__in=ids)
    writes.delete()
    return expired.delete()[0]


def chunked(rows: Any) -> Iterator[models.Checkpoint]:
    """The queryset's rows, read LIST_CHUNK at a time (no cursor held open across yields)."""
    offset = 0
    while True:
        page = list(rows[offset : offset + LIST_CHUNK])
        yield from page
        if len(page) < LIST_CHUNK:
            return
        offset += LIST_CHUNK
