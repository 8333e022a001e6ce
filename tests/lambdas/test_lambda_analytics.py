"""analytics: AnalyticsEvents → per-(kind, subject, UTC day) counters, one transaction per counter per batch,
each event counted exactly once."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import counter_store
import pytest
from common.messages import AnalyticsEvent
from conftest import load_handler, patch_aws_call
from lambda_events import FakeLambdaContext, failed_ids, redelivered, sqs_event, sqs_record

analytics = load_handler("analytics")

DAY_ONE = int(dt.datetime(2026, 11, 28, 23, 59, tzinfo=dt.UTC).timestamp())
DAY_TWO = DAY_ONE + 120  # two minutes later: the next UTC day


@pytest.fixture
def analytics_env(aws, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "analytics")
    monkeypatch.setenv("ANALYTICS_TABLE", "analytics")
    return aws


@pytest.fixture
def transactions(analytics_env, monkeypatch) -> list[list[dict]]:
    """Spy: the TransactItems of every transaction the function sends."""
    calls: list[list[dict]] = []

    def make_spy(client, real):
        def spy(**kwargs):
            calls.append(kwargs["TransactItems"])
            return real(**kwargs)

        return spy

    patch_aws_call(monkeypatch, "dynamodb", "transact_write_items", make_spy)
    return calls


def event(
    kind: str = "job_queued", subject: str = "user#abc", at: int = DAY_ONE, **changes
) -> AnalyticsEvent:
    return AnalyticsEvent(
        event_id=changes.pop("event_id", str(uuid.uuid4())),
        kind=kind,
        subject=subject,
        source="test",
        occurred_at=at,
        job_id=changes.pop("job_id", None),
    )


def invoke(*records, remaining_ms: int = 4_000):
    return analytics.lambda_handler(sqs_event(*records), FakeLambdaContext("analytics", remaining_ms))


def counters(aws) -> dict[tuple[str, str], int]:
    items = aws.dynamodb.scan(TableName="analytics")["Items"]
    return {
        (item["pk"]["S"], item["sk"]["S"]): int(item["count"]["N"])
        for item in items
        if not item["pk"]["S"].startswith("event#") and "N" in item["count"]
    }


def markers(aws) -> list[dict]:
    items = aws.dynamodb.scan(TableName="analytics")["Items"]
    return [item for item in items if item["pk"]["S"].startswith("event#")]


def test_a_batch_is_counted_with_one_transaction_per_counter(analytics_env, transactions):
    # GIVEN a batch of 3 + 2 + 1 events over three counters
    records = [
        *(sqs_record(event("job_queued", "user#abc")) for _ in range(3)),
        *(sqs_record(event("video_downloaded", "host#youtube.com")) for _ in range(2)),
        sqs_record(event("email_sent", "domain#example.com")),
    ]
    # WHEN the analytics function processes it
    assert invoke(*records) == {"batchItemFailures": []}
    # THEN each counter holds its count, written by exactly one transaction (one update) per counter
    assert counters(analytics_env) == {
        ("job_queued#user#abc", "day#2026-11-28"): 3,
        ("video_downloaded#host#youtube.com", "day#2026-11-28"): 2,
        ("email_sent#domain#example.com", "day#2026-11-28"): 1,
    }
    assert len(transactions) == 3
    assert all(sum("Update" in item for item in items) == 1 for items in transactions)
    # AND every event left a marker that expires (TTL) after the longest a message can be redelivered
    assert len(markers(analytics_env)) == 6
    for marker in markers(analytics_env):
        assert int(marker["expires_at"]["N"]) > time.time() + 14 * 86400


def test_events_are_counted_per_utc_day(analytics_env):
    assert invoke(sqs_record(event(at=DAY_ONE)), sqs_record(event(at=DAY_TWO))) == {"batchItemFailures": []}
    assert counters(analytics_env) == {
        ("job_queued#user#abc", "day#2026-11-28"): 1,
        ("job_queued#user#abc", "day#2026-11-29"): 1,
    }


def test_a_redelivered_event_is_not_counted_twice(analytics_env):
    # GIVEN a counted batch
    records = [sqs_record(event()), sqs_record(event())]
    invoke(*records)
    # WHEN SQS delivers the batch again, plus the same event in a new message (a re-emitted milestone)
    again = [redelivered(record) for record in records]
    duplicate_in_new_message = sqs_record(records[0]["body"])
    new = sqs_record(event())
    # THEN every record succeeds and only the new event is counted
    assert invoke(*again, duplicate_in_new_message, new) == {"batchItemFailures": []}
    assert counters(analytics_env) == {("job_queued#user#abc", "day#2026-11-28"): 3}


def test_the_same_event_twice_in_one_batch_counts_once(analytics_env):
    same = event()
    assert invoke(sqs_record(same), sqs_record(same)) == {"batchItemFailures": []}
    assert counters(analytics_env) == {("job_queued#user#abc", "day#2026-11-28"): 1}


def test_poison_records_fail_alone(analytics_env):
    good = sqs_record(event())
    not_json = sqs_record("kind=job_queued")
    unknown_kind = sqs_record({**event().to_dict(), "kind": "page_view"})
    wrong_type = sqs_record({**event().to_dict(), "occurred_at": "yesterday"})
    response = invoke(good, not_json, unknown_kind, wrong_type)
    assert failed_ids(response) == sorted(r["messageId"] for r in (not_json, unknown_kind, wrong_type))
    assert counters(analytics_env) == {("job_queued#user#abc", "day#2026-11-28"): 1}


def test_when_one_counter_fails_only_its_records_fail(analytics_env):
    # GIVEN a counter item whose count was corrupted into a string, so DynamoDB refuses to ADD to it
    analytics_env.dynamodb.put_item(
        TableName="analytics",
        Item={
            "pk": {"S": "video_downloaded#host#broken"},
            "sk": {"S": "day#2026-11-28"},
            "count": {"S": "x"},
        },
    )
    broken = [sqs_record(event("video_downloaded", "host#broken")) for _ in range(2)]
    healthy = [sqs_record(event("video_downloaded", "host#fine")) for _ in range(2)]

    # WHEN a batch touches both counters
    response = invoke(broken[0], healthy[0], broken[1], healthy[1])

    # THEN exactly the broken counter's records fail, the others are counted
    assert failed_ids(response) == sorted(r["messageId"] for r in broken)
    assert counters(analytics_env)[("video_downloaded#host#fine", "day#2026-11-28")] == 2
    # AND the failed transaction left no markers, so the retry will count those events
    assert len(markers(analytics_env)) == 2
    analytics_env.dynamodb.delete_item(
        TableName="analytics",
        Key={"pk": {"S": "video_downloaded#host#broken"}, "sk": {"S": "day#2026-11-28"}},
    )
    assert invoke(*(redelivered(r) for r in broken)) == {"batchItemFailures": []}
    assert counters(analytics_env)[("video_downloaded#host#broken", "day#2026-11-28")] == 2


def test_a_transaction_conflict_is_retried(analytics_env, monkeypatch):
    # GIVEN DynamoDB cancels the first transaction: another writer was updating the same counter
    attempts = []

    def make_conflicting_once(dynamodb, real):
        def conflicting_once(**kwargs):
            attempts.append(kwargs)
            if len(attempts) == 1:
                reasons = [{"Code": "None"}] * (len(kwargs["TransactItems"]) - 1) + [
                    {"Code": "TransactionConflict"}
                ]
                raise dynamodb.exceptions.TransactionCanceledException(
                    {
                        "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                        "CancellationReasons": reasons,
                    },
                    "TransactWriteItems",
                )
            return real(**kwargs)

        return conflicting_once

    patch_aws_call(monkeypatch, "dynamodb", "transact_write_items", make_conflicting_once)
    # WHEN a batch is processed, THEN it is retried and counted once
    assert invoke(sqs_record(event()), sqs_record(event())) == {"batchItemFailures": []}
    assert len(attempts) == 2
    assert counters(analytics_env) == {("job_queued#user#abc", "day#2026-11-28"): 2}


def test_a_counter_with_more_events_than_one_transaction_holds_is_counted_in_full(
    analytics_env, transactions
):
    records = [sqs_record(event()) for _ in range(counter_store.MAX_EVENTS_PER_TRANSACTION + 21)]
    assert invoke(*records) == {"batchItemFailures": []}
    assert counters(analytics_env) == {("job_queued#user#abc", "day#2026-11-28"): len(records)}
    assert all(len(items) <= 100 for items in transactions)


def test_counters_are_not_started_without_enough_time_left(analytics_env):
    records = [sqs_record(event()), sqs_record(event("email_sent", "domain#example.com"))]
    response = invoke(*records, remaining_ms=300)
    assert failed_ids(response) == sorted(r["messageId"] for r in records)
    assert counters(analytics_env) == {}
