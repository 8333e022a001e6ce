"""`peek` (generator/ops/peek.py) on an in-process moto: it shows a DLQ's messages with what an operator needs
and leaves every one of them visible in the queue, also when it stops halfway."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from generator.ops import peek as peeking
from generator.ops.sqs_messages import queue_counts


@pytest.fixture
def dlq():
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        yield sqs, sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]


def _fill(sqs, url: str, count: int) -> list[str]:
    return [sqs.send_message(QueueUrl=url, MessageBody=f'{{"job_id": "job-{index}"}}', MessageAttributes={
        "JobType": {"DataType": "String", "StringValue": "video_download"},
        "Blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02"}})["MessageId"] for index in range(count)]


def test_peek_shows_each_message_and_leaves_them_all_visible(dlq):
    sqs, url = dlq
    sent = _fill(sqs, url, 3)
    result = peeking.peek(sqs, url, limit=10)
    assert sorted(m.message_id for m in result.messages) == sorted(sent)
    first = result.messages[0]
    assert first.attributes == {"Blob": "<3 bytes>", "JobType": "video_download"}
    assert first.receive_count == 1 and first.sent and first.first_received
    assert first.sent.endswith("Z") and result.not_released == 0
    assert queue_counts(sqs, url) == (3, 0)  # every message visible again at once
    again = peeking.peek(sqs, url, limit=10)
    assert {m.receive_count for m in again.messages} == {2}  # each peek is one receive


def test_max_limits_what_is_shown_and_the_rest_is_untouched(dlq):
    sqs, url = dlq
    _fill(sqs, url, 15)
    result = peeking.peek(sqs, url, limit=4)
    assert len(result.messages) == 4
    assert queue_counts(sqs, url) == (15, 0)
    text = peeking.format_peek("jobs-dlq", result, total=15)
    assert text[0] == "jobs-dlq: 4 of 15 messages shown, left in the queue"
    assert sum("body: {\"job_id\": \"job-" in line for line in text) == 4


def test_an_interrupted_peek_still_puts_back_what_it_received(dlq, monkeypatch):
    sqs, url = dlq
    _fill(sqs, url, 12)
    receive = sqs.receive_message
    calls = []

    def receive_then_interrupt(**request):
        calls.append(request)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return receive(**request)

    monkeypatch.setattr(sqs, "receive_message", receive_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        peeking.peek(sqs, url, limit=20)
    assert queue_counts(sqs, url) == (12, 0)


def test_a_long_body_is_cut_in_the_text_and_whole_in_json(dlq):
    sqs, url = dlq
    sqs.send_message(QueueUrl=url, MessageBody="x" * 5000)
    result = peeking.peek(sqs, url, limit=1)
    [body_line] = [line for line in peeking.format_peek("jobs-dlq", result, 1) if "body:" in line]
    assert "(3000 more characters: --json shows all)" in body_line
    assert len(result.messages[0].as_json()["body"]) == 5000
