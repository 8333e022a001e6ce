"""email: email-queue → SES, exactly once per notification_id (Powertools idempotency on IDEMPOTENCY_TABLE).

Outcomes per record:
- sent: SES accepted it; the result is stored, so a redelivery returns it without sending again;
- rejected: SES refused the recipient or the message for good (MessageRejected, an invalid address);
  stored and logged like a send (SES's reason quotes the recipient: its addresses are redacted first),
  an `email_rejected` analytics event is emitted and the record succeeds: retrying cannot help;
- failed: throttling, a transient error, or our own sender not being verified (a deployment problem, named in
  the rejection): the idempotency record is released and the record fails, so SQS retries it.
"""

from __future__ import annotations

import functools
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from common import aws, config, sqs
from common.batch import process_sqs_batch
from common.log import logger_for
from common.messages import EmailNotification, parse
from common.text import redact_addresses
from common.time_budget import TimeBudget
from email_content import video_ready_email

logger = logger_for("email")

MIN_MS_TO_START = 3_000  # one idempotency write, one SES call, one idempotency update

# Kept for 15 days: longer than a message can live in email-queue plus its DLQ (14 days from the first
# enqueue), so even a redrive from the DLQ cannot send twice.
IDEMPOTENCY_CONFIG = IdempotencyConfig(
    event_key_jmespath="notification_id",
    payload_validation_jmespath="[job_id, to_address]",
    expires_after_seconds=15 * 24 * 3600,
    raise_on_no_idempotency_key=True,
)

# SES answers with these when the message or the recipient is refused for good.
PERMANENT_REJECTIONS = frozenset({"MessageRejected", "InvalidParameterValue"})


class SenderNotVerified(RuntimeError):
    """SES refuses our own SENDER_EMAIL: fix the deployment; the records wait in the queue or the DLQ."""


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: Any) -> dict:
    IDEMPOTENCY_CONFIG.register_lambda_context(context)
    return process_sqs_batch(event, context, handle_record, logger)


def handle_record(record: SQSRecord, budget: TimeBudget) -> None:
    notification = parse(record.body, EmailNotification)
    with logger.append_context_keys(job_id=notification.job_id, notification_id=notification.notification_id):
        budget.require(MIN_MS_TO_START, "sending an email")
        outcome = send_once(budget)(notification=notification, budget=budget)
        kind = "email_sent" if outcome["status"] == "sent" else "email_rejected"
        if kind == "email_rejected":
            logger.warning("recipient rejected by SES; not retried", extra=outcome)
        else:
            logger.info("email sent", extra=outcome)
        domain = notification.to_address.rpartition("@")[2].lower()
        sqs.emit_analytics(
            config.required("ANALYTICS_QUEUE_URL"),
            sqs.analytics_event(
                event_id=f"{kind}:{notification.notification_id}",
                kind=kind,
                subject=f"domain#{domain}",
                source="email",
                job_id=notification.job_id,
            ),
            budget,
            logger,
        )


def send_once(budget: TimeBudget) -> Any:
    """`send_email`, made exactly-once per notification_id, its DynamoDB calls bounded by the budget.

    The idempotency layer makes up to three calls (claim, and record or release the outcome) around the
    SES call, with a client chosen so that four such calls fit in the time left.
    """
    return _send_once_with(aws.client("dynamodb", budget, calls=4))


@functools.cache
def _send_once_with(dynamodb: Any) -> Any:
    # One per client, and clients are cached per set of call limits: a handful per container.
    persistence = DynamoDBPersistenceLayer(table_name=config.required("IDEMPOTENCY_TABLE"), boto3_client=dynamodb)
    return idempotent_function(
        data_keyword_argument="notification", persistence_store=persistence, config=IDEMPOTENCY_CONFIG
    )(send_email)


def send_email(notification: EmailNotification, budget: TimeBudget) -> dict[str, str]:
    """Send through SES; the returned outcome is what the idempotency record stores."""
    sender = config.required("SENDER_EMAIL")
    content = video_ready_email(notification)
    try:
        # Two calls must still fit: this one, and the idempotency record of its outcome.
        response = aws.client("ses", budget, calls=2).send_email(
            Source=sender,
            Destination={"ToAddresses": [notification.to_address]},
            Message={
                "Subject": {"Data": content.subject, "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": content.text, "Charset": "UTF-8"},
                    "Html": {"Data": content.html, "Charset": "UTF-8"},
                },
            },
        )
    except Exception as error:
        code = aws.error_code(error)
        if code not in PERMANENT_REJECTIONS:
            raise  # throttling, transient: fail the record, release the idempotency record, retry
        reason = str(error.response["Error"].get("Message", ""))  # type: ignore[attr-defined]
        if sender.lower() in reason.lower():
            raise SenderNotVerified(f"SES refuses the sender {sender}: {redact_addresses(reason)}") from None
        # Logged and stored for 15 days: the recipient's address stays out of both.
        return {"status": "rejected", "error_code": code, "reason": redact_addresses(reason)}
    return {"status": "sent", "ses_message_id": str(response["MessageId"])}
