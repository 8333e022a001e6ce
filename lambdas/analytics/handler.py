"""analytics: analytics-queue → per-day counters in ANALYTICS_TABLE, each event counted exactly once.

The batch is aggregated before anything is written: one transaction per distinct (kind, subject, UTC day) per
batch (see counter_store). The Powertools batch processor then reports, record by record, what happened: a
poison record fails alone, and when a counter's transaction fails only the records of that counter fail.
"""

from __future__ import annotations

from typing import Any

import counter_store
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from common import config
from common.batch import process_sqs_batch
from common.log import logger_for
from common.messages import AnalyticsEvent, MessageError, parse
from common.time_budget import TimeBudget
from event_aggregation import group_by_counter

logger = logger_for("analytics")

MIN_MS_PER_COUNTER = 800  # one transaction, with a retry on conflict


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: Any) -> dict:
    failures = count_batch(event.get("Records") or [], TimeBudget(context))

    def report(record: SQSRecord, budget: TimeBudget) -> None:
        failure = failures.get(record.message_id)
        if isinstance(failure, MessageError):
            raise MessageError(str(failure))
        if failure is not None:
            # A fresh exception per record: re-raising one shared object would pile up tracebacks.
            raise counter_store.CounterNotUpdated(
                f"this event's counter was not updated: {failure}"
            ) from failure

    return process_sqs_batch(event, context, report, logger)


def count_batch(records: list[dict], budget: TimeBudget) -> dict[str, Exception]:
    """Count the batch; returns the failure of each record that failed, by message id."""
    failures: dict[str, Exception] = {}
    events: list[tuple[str, AnalyticsEvent]] = []
    for record in records:
        try:
            events.append((record["messageId"], parse(record["body"], AnalyticsEvent)))
        except MessageError as error:
            failures[record["messageId"]] = error

    table = config.required("ANALYTICS_TABLE")
    for group in group_by_counter(events):
        try:
            budget.require(MIN_MS_PER_COUNTER, f"counter {group.key.pk} {group.key.sk}")
            new = counter_store.count_group(table, group, budget)
        except (
            Exception
        ) as error:  # OutOfTime, CounterNotUpdated, AWS errors: only this counter's records fail
            failures.update(dict.fromkeys(group.all_message_ids(), error))
            continue
        logger.info(
            "counter updated",
            extra={
                "counter": f"{group.key.pk} {group.key.sk}",
                "new": new,
                "duplicates": len(group.events) - new,
            },
        )
    return failures
