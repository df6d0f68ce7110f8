"""The ORM saver passes LangGraph's own conformance suite for savers, every capability."""

from __future__ import annotations

import pytest
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.report import ProgressCallbacks

from checkpoints.saver import DjangoSaver


@checkpointer_test(name="DjangoSaver")
async def django_saver():
    yield DjangoSaver()


@pytest.mark.django_db(transaction=True)
async def test_the_saver_passes_langgraphs_conformance_suite_with_every_capability():
    report = await validate(django_saver, progress=ProgressCallbacks.verbose())
    report.print_report()
    assert report.passed_all_base()
    assert report.passed_all(), "an extended capability (delete_for_runs, copy, prune) failed"
