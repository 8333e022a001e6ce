"""The shared send helper on FIFO queues (issue 11): a group per job (per subject for analytics), a
deduplication id from the message's identity, so order holds within a job and a resend is dropped."""

from __future__ import annotations

import json
import time

import pytest
from common import sqs
from common.messages import AnalyticsEvent, EmailNotification, MessageError, ThumbnailJob, VideoJob
from common.time_budget import TimeBudget
from conftest import load_handler, set_router_environment
from lambda_events import FakeLambdaContext, http_event


@pytest.fixture
def budget() -> TimeBudget:
    """A fresh minute of invocation time per test (a module-level one runs out in a long test session)."""
    return TimeBudget(FakeLambdaContext(remaining_ms=60_000))


def fifo_queue(aws, name: str, *, content_based: bool = False) -> str:
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true" if content_based else "false"}
    return aws.sqs.create_queue(QueueName=f"{name}.fifo", Attributes=attributes)["QueueUrl"]


def received(aws, queue_url: str) -> list[dict]:
    messages = []
    while True:
        batch = aws.sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"], VisibilityTimeout=0
        ).get("Messages", [])
        if not batch:
            return messages
        for message in batch:
            aws.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        messages.extend(batch)


def thumbnail_job(job_id: str = "job-1", **changes) -> ThumbnailJob:
    fields = {
        "job_id": job_id, "video_key": f"videos/{job_id}/video.mp4", "video_url": "https://youtube.com/v",
        "user_email": "ada@example.com", "timestamp": int(time.time()), **changes,
    }  # fmt: skip
    return ThumbnailJob(**fields)


EXAMPLES = [
    (VideoJob(job_id="j1", video_url="https://youtube.com/v", user_email="a@example.com", quality="720p",
              timestamp=1), "j1"),
    (thumbnail_job("j1"), "j1"),
    (EmailNotification(notification_id="video-ready:j1", job_id="j1", to_address="a@example.com",
                       video_url="https://youtube.com/v", thumbnail_keys=[], timestamp=1), "j1"),
    (AnalyticsEvent(event_id="e1", kind="job_queued", subject="user#abc", source="router", occurred_at=1),
     "user#abc"),
]  # fmt: skip


@pytest.mark.security_family("FIFO producers")
@pytest.mark.parametrize(("message", "group"), EXAMPLES, ids=[m.TYPE for m, _ in EXAMPLES])
@pytest.mark.parametrize("content_based", [False, True], ids=["explicit dedup", "content-based queue"])
def test_a_message_to_a_fifo_queue_carries_its_group_and_is_sent_once(aws, budget, message, group, content_based):
    queue = fifo_queue(aws, "target", content_based=content_based)
    # WHEN the same message is sent twice (a redelivered producer), with a new timestamp the second time
    sqs.send(queue, message, budget)
    later = type(message)(**_later(message))
    sqs.send(queue, later, budget)
    # THEN one message is queued, in the expected group
    (only,) = received(aws, queue)
    assert only["Attributes"]["MessageGroupId"] == group
    assert len(only["Attributes"]["MessageDeduplicationId"]) == 64


def _later(message) -> dict:
    fields = {k: v for k, v in message.to_dict().items() if k not in ("type", "version")}
    key = "occurred_at" if isinstance(message, AnalyticsEvent) else "timestamp"
    return {**fields, key: fields[key] + 60}


@pytest.mark.security_family("FIFO producers")
def test_messages_of_one_group_keep_their_order(aws, budget):
    # GIVEN five analytics events of one subject (one group), sent in order
    events = [
        AnalyticsEvent(event_id=f"e{n}", kind="job_queued", subject="host#x", source="t", occurred_at=n)
        for n in range(5)
    ]
    analytics = fifo_queue(aws, "analytics")
    for event in events:
        sqs.send(analytics, event, budget)
    # THEN they are received in that order
    assert [json.loads(m["Body"])["event_id"] for m in received(aws, analytics)] == [e.event_id for e in events]


@pytest.mark.security_family("FIFO producers")
def test_a_standard_queue_gets_no_fifo_parameters(aws, budget):
    sqs.send(aws.queues["thumbnail-generation"], thumbnail_job(), budget)
    (message,) = received(aws, aws.queues["thumbnail-generation"])
    assert "MessageGroupId" not in message["Attributes"]


@pytest.mark.security_family("FIFO producers")
def test_a_group_id_sqs_would_refuse_is_hashed(aws, budget):
    queue = fifo_queue(aws, "odd")
    event = AnalyticsEvent(event_id="e", kind="job_queued", subject="host#" + "x" * 200, source="t", occurred_at=1)
    sqs.send(queue, event, budget)
    (message,) = received(aws, queue)
    assert message["Attributes"]["MessageGroupId"].startswith("sha256-")


@pytest.mark.security_family("FIFO producers")
def test_the_router_queues_jobs_on_a_fifo_video_queue(aws, budget, monkeypatch):
    queue = fifo_queue(aws, "video-processing-queue")
    set_router_environment(monkeypatch, aws, daily_quota=5, video_queue=queue)
    job = {"video_url": "https://youtube.com/watch?v=1", "user_email": "ada@example.com"}
    response = load_handler("router").lambda_handler(http_event(job), FakeLambdaContext("router", 10_000))
    assert response["statusCode"] == 200
    (message,) = received(aws, queue)
    assert message["Attributes"]["MessageGroupId"] == json.loads(response["body"])["job_id"]


def test_a_message_its_consumer_would_refuse_is_never_sent(aws, budget):
    # GIVEN a ThumbnailJob whose title a consumer would refuse (a producer bug)
    bad = thumbnail_job(video_title="T" * 3000)
    with pytest.raises(MessageError, match="video_title: longer than 2048"):
        sqs.send(aws.queues["thumbnail-generation"], bad, budget)
    assert received(aws, aws.queues["thumbnail-generation"]) == []
