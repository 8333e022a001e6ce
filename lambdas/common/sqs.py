"""Sending contract messages to SQS."""

from __future__ import annotations

import time
from typing import Any

from common import aws
from common.ids import milestone_event_id
from common.messages import AnalyticsEvent, Message

# MessageAttributes per message type; the video job's are exactly the week-1 plan's.
_JOB_TYPES = {
    "video_job": "video_download",
    "thumbnail_job": "thumbnail_generation",
    "email_notification": "email_notification",
    "analytics_event": "analytics_event",
}


def attributes_for(message: Message) -> dict[str, dict[str, str]]:
    attributes = {"JobType": {"StringValue": _JOB_TYPES[message.TYPE], "DataType": "String"}}
    if message.TYPE == "video_job":
        attributes["Priority"] = {"StringValue": "normal", "DataType": "String"}
    return attributes


def send(queue_url: str, message: Message) -> str:
    """Send one message and return its SQS MessageId; errors propagate (the caller decides)."""
    response = aws.client("sqs").send_message(
        QueueUrl=queue_url,
        MessageBody=message.to_json(),
        MessageAttributes=attributes_for(message),
    )
    return str(response["MessageId"])


def emit_analytics(queue_url: str, event: AnalyticsEvent, logger: Any) -> bool:
    """Best effort: an analytics event is never worth failing (and so redoing) the work it describes.

    A lost event is logged with its id; analytics counts each id once, so re-emitting on redelivery is safe.
    """
    try:
        send(queue_url, event)
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
