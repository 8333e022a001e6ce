"""The SQS consumer skeleton every queue-triggered function uses (Powertools batch utility).

Each record goes through `handle_record(record, budget)`, with its correlation id carried on to what it
sends (`common.correlation`) and its message and correlation ids on every line logged meanwhile; an
exception fails that record only and the response lists it in batchItemFailures (the event source mapping
has ReportBatchItemFailures), so SQS redelivers it and, after maxReceiveCount, moves it to the DLQ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from common import correlation
from common.messages import MessageError
from common.time_budget import OutOfTime, TimeBudget

RecordHandler = Callable[[SQSRecord, TimeBudget], None]


def process_sqs_batch(event: dict, context: Any, handle_record: RecordHandler, logger: Any) -> dict:
    budget = TimeBudget(context)

    def record_handler(record: SQSRecord) -> None:
        # What is sent while handling the record carries its correlation id on; every line logged names both ids.
        correlation_id = correlation.of_record(record)
        keys = {"message_id": record.message_id, "correlation_id": correlation_id}
        with correlation.carried(correlation_id), logger.append_context_keys(**keys):
            try:
                handle_record(record, budget)
            except MessageError as error:
                logger.error(
                    "poison message: fails until it reaches the DLQ",
                    extra=_record_fields(record, reason=str(error)),
                )
                raise
            except OutOfTime as error:
                logger.warning("record left for redelivery", extra=_record_fields(record, reason=str(error)))
                raise
            except Exception:
                logger.exception("record failed", extra=_record_fields(record))
                raise

    # raise_on_entire_batch_failure=False: when every record fails we still answer with batchItemFailures
    # (same effect for SQS) instead of raising, which keeps the log to one line per failed record.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )


def _record_fields(record: SQSRecord, **extra: str) -> dict[str, str]:
    return {
        "message_id": record.message_id,
        "receive_count": record.attributes.approximate_receive_count,
        **extra,
    }
