"""my-function: my-work-queue → <what it does with each message>.

Copied from examples/function-template/ (its README.md says how). Powertools' batch utility does the SQS
bookkeeping: `handle_record` runs once per message, and an exception fails that message only (the mapping
reports batch item failures), so SQS delivers it again and moves it to the dead-letter queue after
max_receive_count receives.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from common.batch import process_sqs_batch
from common.log import logger_for
from common.messages import MessageError
from common.time_budget import TimeBudget

logger = logger_for("my-function")

MIN_MS_PER_RECORD = 1000  # leave a message for redelivery rather than start it without time to finish


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: Any) -> dict:
    return process_sqs_batch(event, context, handle_record, logger)


def handle_record(record: SQSRecord, budget: TimeBudget) -> None:
    try:
        body = json.loads(record.body)
    except ValueError as error:
        raise MessageError(f"the body is not JSON: {error}") from error  # poison: fails until it reaches the DLQ
    budget.require(MIN_MS_PER_RECORD, "one message")
    work(body)


def work(body: Any) -> None:
    """The function's job, for one message. Make it idempotent: SQS delivers at least once."""
    logger.info("message handled", extra={"fields": sorted(body) if isinstance(body, dict) else []})
