"""The run options of the chat request: onDisconnect and multitaskStrategy (no database)."""

from __future__ import annotations

import pytest

from protocols.native.requests import parse_chat_request
from tests.protocols.native.test_chat_request import body, rejection


def test_the_run_options_default_to_cancel_and_enqueue():
    request = parse_chat_request(body())
    assert (request.onDisconnect, request.multitaskStrategy) == ("cancel", "enqueue")


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"onDisconnect": "stay"}, "onDisconnect"),
        ({"onDisconnect": True}, "onDisconnect"),
        ({"multitaskStrategy": "rollback"}, "multitaskStrategy"),
        ({"multitaskStrategy": None}, "multitaskStrategy"),
    ],
)
def test_an_unknown_run_option_is_a_422_naming_the_field(fields, where):
    rejected = rejection(body(**fields))
    assert rejected.status == 422
    assert [item["loc"] for item in rejected.detail] == [["body", where]]


@pytest.mark.parametrize("strategy", ["enqueue", "reject", "interrupt"])
def test_every_strategy_is_accepted(strategy):
    request = parse_chat_request(body(multitaskStrategy=strategy))
    assert request.multitaskStrategy == strategy
