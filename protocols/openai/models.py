"""A Responses API response: one run, with what the request said that the run does not keep."""

from __future__ import annotations

from django.db import models

from runs.models import Run


class StoredResponse(models.Model):
    """The response `resp_<run id>`: its run is its status, events, prompt and answer."""

    run = models.OneToOneField(
        Run,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="openai_response",
        db_column="runId",
    )
    model = models.CharField(max_length=64, default="orchestrator")
    instructions = models.TextField(blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    input_items = models.JSONField("input items", default=list, blank=True, db_column="inputItems")
    previous_response_id = models.CharField(
        "previous response", max_length=64, blank=True, default="", db_column="previousResponseId"
    )
    background = models.BooleanField(default=False)

    class Meta:
        db_table = "openai_responses"
        verbose_name = "OpenAI response"

    def __str__(self) -> str:
        return f"resp_{self.run_id}"
