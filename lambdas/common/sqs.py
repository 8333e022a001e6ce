"""Sending contract messages to SQS: validated first, with FIFO ids when the queue is FIFO."""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

from common import aws, correlation
from common.ids import milestone_event_id
from common.messages import AnalyticsEvent, EmailNotification, Message, validate
from common.time_budget import TimeBudget

# MessageAttributes per message type; the video job's are exactly the week-1 plan's.
_JOB_TYPES = {
    "video_job": "video_download",
    "thumbnail_job": "thumbnail_generation",
    "email_notification": "email_notification",
    "analytics_event": "analytics_event",
}

# MessageGroupId and MessageDeduplicationId: 1-128 of alphanumeric and punctuation characters.
_SQS_ID = re.compile(r"[!-~]{1,128}")


def attributes_for(message: Message) -> dict[str, dict[str, str]]:
    attributes = {"JobType": {"StringValue": _JOB_TYPES[message.TYPE], "DataType": "String"}}
    if message.TYPE == "video_job":
        attributes["Priority"] = {"StringValue": "normal", "DataType": "String"}
    carried = correlation.current()
    if carried:  # the job's thread through the queues (common/correlation.py)
        attributes.update(correlation.attribute(carried))
    return attributes


def is_fifo(queue_url: str) -> bool:
    return queue_url.rstrip("/").endswith(".fifo")


def identity_of(message: Message) -> str:
    """What makes two messages the same message: a resend of it carries the same identity."""
    if isinstance(message, AnalyticsEvent):
        return message.event_id
    if isinstance(message, EmailNotification):
        return message.notification_id
    return message.job_id  # type: ignore[attr-defined]  # the job messages


def group_of(message: Message) -> str:
    """The FIFO message group: a job's messages stay in order, and analytics events of one subject are
    counted by one consumer at a time (no two batches update the same counter concurrently)."""
    return message.subject if isinstance(message, AnalyticsEvent) else message.job_id  # type: ignore[attr-defined]


def fifo_parameters(message: Message) -> dict[str, str]:
    """MessageGroupId and a deterministic MessageDeduplicationId for a FIFO queue.

    The deduplication id is derived from the message's type and identity, so a resend within SQS's 5-minute
    window is dropped. Setting it is right whether or not the queue has content-based deduplication: an
    explicit id takes precedence, and the body of a resend may differ (a new timestamp).
    """
    dedup = hashlib.sha256(f"{message.TYPE}:{identity_of(message)}".encode()).hexdigest()
    group = group_of(message)
    if not _SQS_ID.fullmatch(group):
        group = "sha256-" + hashlib.sha256(group.encode()).hexdigest()
    return {"MessageGroupId": group, "MessageDeduplicationId": dedup}


def send(queue_url: str, message: Message, budget: TimeBudget) -> str:
    """Validate against the contract, send, and return the SQS MessageId; errors propagate.

    A message its consumer would refuse raises MessageError here, in the producer, instead of becoming a
    poison message in the next queue.
    """
    validate(message)
    extra = fifo_parameters(message) if is_fifo(queue_url) else {}
    response = aws.client("sqs", budget).send_message(
        QueueUrl=queue_url,
        MessageBody=message.to_json(),
        MessageAttributes=attributes_for(message),
        **extra,
    )
    return str(response["MessageId"])


def emit_analytics(queue_url: str, event: AnalyticsEvent, budget: TimeBudget, logger: Any) -> bool:
    """Best effort: an analytics event is never worth failing (and so redoing) the work it describes.

    A lost event is logged with its id; analytics counts each id once, so re-emitting on redelivery is safe.
    """
    try:
        send(queue_url, event, budget)
    except Exception:  # any failure of a best-effort side channel is logged, never raised
        logger.exception("analytics event not sent", extra={"event_id": event.event_id, "kind": event.kind})
        return False
    return True


def analytics_event(
    *, event_id: str, kind: str, subject: str, source: str, job_id: str | None = None
) -> AnalyticsEvent:
    return AnalyticsEvent(
        event_id=event_id,
        kind=kind,
        subject=subject,
        source=source,
        occurred_at=int(time.time()),
        job_id=job_id,
    )


def milestone(kind: str, job_id: str, subject: str, source: str) -> AnalyticsEvent:
    """The once-per-job analytics event of a pipeline step (its id is derived, so redeliveries count once)."""
    return analytics_event(
        event_id=milestone_event_id(kind, job_id), kind=kind, subject=subject, source=source, job_id=job_id
    )
