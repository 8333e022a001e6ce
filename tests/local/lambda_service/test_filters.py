"""Event filtering on SQS records, as Lambda applies it (EventBridge pattern syntax on the record, the body
parsed when it is JSON)."""

from __future__ import annotations

import json

import pytest

from generator.local.lambda_service.filters import Filters


def record(body) -> dict:
    return {"messageId": "m1", "body": body if isinstance(body, str) else json.dumps(body), "attributes": {}}


@pytest.mark.parametrize(
    ("pattern", "body", "delivered"),
    [
        ({"body": {"kind": ["video"]}}, {"kind": "video"}, True),
        ({"body": {"kind": ["video"]}}, {"kind": "audio"}, False),
        ({"body": {"kind": ["video"]}}, "plain text, not JSON", False),
        ({"body": ["plain text"]}, "plain text", True),
        ({"body": {"kind": [{"prefix": "vid"}]}}, {"kind": "video"}, True),
        ({"body": {"size": [{"numeric": [">", 10]}]}}, {"size": 11}, True),
        ({"body": {"size": [{"numeric": [">", 10]}]}}, {"size": 10}, False),
        ({"body": {"kind": [{"anything-but": ["spam"]}]}}, {"kind": "video"}, True),
        ({"body": {"kind": [{"anything-but": ["spam"]}]}}, {"kind": "spam"}, False),
        ({"body": {"job": [{"exists": True}]}}, {"job": "j1"}, True),
        ({"body": {"job": [{"exists": False}]}}, {"job": "j1"}, False),
        ({"body": {"meta": {"tier": ["gold"]}}}, {"meta": {"tier": "gold"}}, True),
    ],
    ids=["equal", "not equal", "json pattern on a plain body", "plain body", "prefix", "numeric yes", "numeric no",
         "anything-but yes", "anything-but no", "exists", "not exists", "nested"],
)
def test_one_pattern(pattern, body, delivered):
    assert Filters([json.dumps(pattern)]).matches(record(body)) is delivered


def test_a_record_is_delivered_when_any_pattern_matches():
    filters = Filters([json.dumps({"body": {"kind": ["a"]}}), json.dumps({"body": {"kind": ["b"]}})])
    assert filters.matches(record({"kind": "b"}))
    assert not filters.matches(record({"kind": "c"}))


def test_no_patterns_deliver_everything():
    assert not Filters([])
    assert Filters([]).matches(record("anything"))
