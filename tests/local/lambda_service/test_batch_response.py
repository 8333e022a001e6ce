"""Lambda's partial batch response rules, one case per documented answer."""

from __future__ import annotations

import pytest

from generator.local.lambda_service.batch_response import InvalidBatchResponse, failed_message_ids

BATCH = {"m1", "m2", "m3"}


@pytest.mark.parametrize(
    ("response", "failed"),
    [
        (None, set()),
        ({}, set()),
        ({"statusCode": 200}, set()),  # the week-1 plan's downloader answer: no batchItemFailures
        ({"batchItemFailures": None}, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "m2"}]}, {"m2"}),
        ({"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m3"}]}, {"m1", "m3"}),
    ],
    ids=["null", "empty object", "no key", "null list", "empty list", "one", "two"],
)
def test_answers_that_settle_the_batch(response, failed):
    assert failed_message_ids(response, BATCH) == failed


@pytest.mark.parametrize(
    "response",
    [
        "ok",
        ["m1"],
        {"batchItemFailures": "m1"},
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"itemIdentifier": None}]},
        {"batchItemFailures": [{"itemId": "m1"}]},
        {"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]},
        {"batchItemFailures": ["m1"]},
    ],
    ids=["string", "list", "not a list", "empty id", "null id", "bad key", "unknown id", "bare id"],
)
def test_malformed_answers_fail_the_whole_batch(response):
    with pytest.raises(InvalidBatchResponse):
        failed_message_ids(response, BATCH)
