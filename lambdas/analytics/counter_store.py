"""Counting a group of events exactly once: one DynamoDB transaction per counter per batch.

Items in ANALYTICS_TABLE:
- counter: pk = "<kind>#<subject>", sk = "day#<YYYY-MM-DD>", count (N), kind, subject, day, updated_at;
  no TTL.
- marker:  pk = "event#<event id>", sk = "marker", counter (the counter's pk|sk), expires_at (TTL, 15 days).

The transaction puts one marker per event (condition: no marker yet) and ADDs the number of events to the
counter: all or nothing. So a redelivered event cannot count twice (its marker exists), and a failure cannot
leave a marker without its count (which a marker-then-update sequence would, losing the event for good).
When markers already exist, DynamoDB cancels the transaction naming them; those events are dropped as
already counted and the rest are sent again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from common import aws
from common.messages import AnalyticsEvent
from common.time_budget import TimeBudget
from event_aggregation import CounterGroup, CounterKey

# TransactWriteItems takes at most 100 actions: the markers plus the counter update. A group larger than this
# (only possible when nearly a whole batch of 100 hits one counter) is counted in more than one transaction.
MAX_EVENTS_PER_TRANSACTION = 99
# Longer than an event can live in analytics-queue plus its DLQ (14 days from the first enqueue).
MARKER_TTL_SECONDS = 15 * 24 * 3600
ATTEMPTS = 3
RETRYABLE_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})


class CounterNotUpdated(RuntimeError):
    """The counter's transaction failed; its events' records fail and are retried."""


def count_group(table: str, group: CounterGroup, budget: TimeBudget, *, now: int | None = None) -> int:
    """Count the group's events not counted before; returns how many were new."""
    now = int(time.time()) if now is None else now
    events = list(group.events.values())
    return sum(
        _count_once(table, group.key, events[start : start + MAX_EVENTS_PER_TRANSACTION], now, budget)
        for start in range(0, len(events), MAX_EVENTS_PER_TRANSACTION)
    )


def _count_once(table: str, key: CounterKey, events: list[AnalyticsEvent], now: int, budget: TimeBudget) -> int:
    for attempt in range(ATTEMPTS):
        if not events:
            return 0
        client = aws.client("dynamodb", budget)  # chosen per attempt: the time left shrinks
        try:
            client.transact_write_items(TransactItems=list(_transaction(table, key, events, now)))
            return len(events)
        except client.exceptions.TransactionCanceledException as error:
            codes = [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]
            counted = {
                e.event_id for e, code in zip(events, codes, strict=False) if code == "ConditionalCheckFailed"
            }
            blocking = {code for code in codes if code not in ("None", "ConditionalCheckFailed")}
            if blocking - RETRYABLE_REASONS:
                raise CounterNotUpdated(f"{key.pk} {key.sk}: transaction cancelled: {codes}") from error
            events = [event for event in events if event.event_id not in counted]
            if blocking:
                time.sleep(0.05 * 2**attempt)  # a concurrent writer on the same counter: back off briefly
    if not events:
        return 0
    raise CounterNotUpdated(f"{key.pk} {key.sk}: still conflicting after {ATTEMPTS} attempts")


def _transaction(table: str, key: CounterKey, events: list[AnalyticsEvent], now: int) -> Iterator[dict]:
    counter_ref = f"{key.pk}|{key.sk}"
    for event in events:
        yield {
            "Put": {
                "TableName": table,
                "Item": {
                    "pk": {"S": f"event#{event.event_id}"},
                    "sk": {"S": "marker"},
                    "counter": {"S": counter_ref},
                    "expires_at": {"N": str(now + MARKER_TTL_SECONDS)},
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
    yield {
        "Update": {
            "TableName": table,
            "Key": {"pk": {"S": key.pk}, "sk": {"S": key.sk}},
            "UpdateExpression": "ADD #count :n SET #kind = :kind, #subject = :subject, #day = :day, "
            "#updated_at = :now",
            "ExpressionAttributeNames": {
                "#count": "count",
                "#kind": "kind",
                "#subject": "subject",
                "#day": "day",
                "#updated_at": "updated_at",
            },
            "ExpressionAttributeValues": {
                ":n": {"N": str(len(events))},
                ":kind": {"S": key.kind},
                ":subject": {"S": key.subject},
                ":day": {"S": key.day},
                ":now": {"N": str(now)},
            },
        }
    }
