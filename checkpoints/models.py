"""The graph's checkpoints and their pending writes, as LangGraph's savers store them.

One row per checkpoint (its channel values inside, serialised by LangGraph's own serializer)
and one per pending write, keyed as LangGraph keys them: thread, namespace, checkpoint id
(and task id and index for a write). A thread is a chat session; `run_id` is the run that
wrote the checkpoint (its metadata's), so that a run's checkpoints can be found and pruned.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from chat.models import object_id_primary_key


class Checkpoint(models.Model):
    """One checkpoint of a thread: the state after a step, typed bytes from the serializer."""

    id = object_id_primary_key()
    thread_id = models.CharField("thread", max_length=128, db_column="threadId")
    checkpoint_ns = models.CharField(
        "namespace", max_length=255, blank=True, default="", db_column="checkpointNs"
    )
    checkpoint_id = models.CharField("checkpoint", max_length=64, db_column="checkpointId")
    parent_checkpoint_id = models.CharField(
        "parent", max_length=64, blank=True, default="", db_column="parentCheckpointId"
    )
    run_id = models.CharField("run", max_length=64, blank=True, default="", db_column="runId")
    kind = models.CharField(max_length=32, help_text="The serializer's type of `data`.")
    data = models.BinaryField(help_text="The checkpoint, channel values included.")
    metadata_kind = models.CharField(max_length=32, db_column="metadataKind")
    metadata = models.BinaryField()
    created_at = models.DateTimeField("created", default=timezone.now, db_column="createdAt")

    class Meta:
        db_table = "checkpoints"
        ordering = ["-checkpoint_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["thread_id", "checkpoint_ns", "checkpoint_id"], name="checkpoints_unique"
            )
        ]
        indexes = [
            models.Index(fields=["run_id"], name="checkpoints_run"),
            models.Index(fields=["created_at"], name="checkpoints_created"),
        ]

    def __str__(self) -> str:
        return f"{self.thread_id} {self.checkpoint_id}"


class CheckpointWrite(models.Model):
    """A task's write made after a checkpoint and not yet folded into the next one."""

    id = object_id_primary_key()
    thread_id = models.CharField("thread", max_length=128, db_column="threadId")
    checkpoint_ns = models.CharField(
        max_length=255, blank=True, default="", db_column="checkpointNs"
    )
    checkpoint_id = models.CharField(max_length=64, db_column="checkpointId")
    task_id = models.CharField(max_length=64, db_column="taskId")
    task_path = models.CharField(max_length=255, blank=True, default="", db_column="taskPath")
    idx = models.IntegerField()
    channel = models.CharField(max_length=255)
    kind = models.CharField(max_length=32)
    data = models.BinaryField()

    class Meta:
        db_table = "checkpoint_writes"
        constraints = [
            models.UniqueConstraint(
                fields=["thread_id", "checkpoint_ns", "checkpoint_id", "task_id", "idx"],
                name="checkpoint_writes_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} {self.task_id}[{self.idx}] {self.channel}"
