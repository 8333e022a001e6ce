"""The receive → send → delete redrive (generator/ops/redrive_copy.py) on an in-process moto, which has no
StartMessageMoveTask, as an endpoint without it: every message back once with its attributes, FIFO groups and
order kept with deduplication ids from the original ids, a message the destination refuses never deleted, a
re-run after an interruption finishing without sending twice; and how an endpoint without the operation is
recognised."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from generator.ops.redrive import Queue, _unsupported, with_move_task
from generator.ops.redrive_copy import Journal, by_copy
from generator.ops.sqs_messages import queue_counts


@pytest.fixture
def sqs():
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1")


def _queue(sqs, name: str, **attributes: str) -> Queue:
    if name.endswith(".fifo"):
        attributes["FifoQueue"] = "true"
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return Queue(name, url, arn, name.endswith(".fifo"))


def _pair(sqs, name: str, fifo: bool = False, **source_attributes: str) -> tuple[Queue, Queue]:
    suffix = ".fifo" if fifo else ""
    dlq = _queue(sqs, f"{name}-dlq{suffix}")
    policy = json.dumps({"deadLetterTargetArn": dlq.arn, "maxReceiveCount": 3})
    source = _queue(sqs, f"{name}-queue{suffix}", RedrivePolicy=policy, **source_attributes)
    return source, dlq


def _drain(sqs, queue: Queue) -> list[dict]:
    found = []
    while batch := sqs.receive_message(QueueUrl=queue.url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                                       MessageSystemAttributeNames=["All"]).get("Messages", []):
        found += batch
        sqs.delete_message_batch(QueueUrl=queue.url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)])
    return found


def _redrive(sqs, dlq: Queue, source: Queue, journal: Journal, **options):
    settings = {"limit": None, "visibility": 30, "in_flight_wait": 1.0, **options}
    return by_copy(sqs, dlq, lambda message: source, journal, lambda line: None, **settings)


def test_every_message_goes_back_once_with_its_attributes(sqs, tmp_path):
    source, dlq = _pair(sqs, "jobs")
    for index in range(25):
        sqs.send_message(QueueUrl=dlq.url, MessageBody=f"job {index}", MessageAttributes={
            "JobType": {"DataType": "String", "StringValue": "video"},
            "Attempt": {"DataType": "Number", "StringValue": str(index)}})
    journal = Journal(tmp_path / "journal.jsonl")
    outcome = _redrive(sqs, dlq, source, journal)
    assert (outcome.moved, outcome.failed, outcome.left, outcome.complete) == (25, {}, 0, True)
    back = _drain(sqs, source)
    assert sorted(m["Body"] for m in back) == sorted(f"job {index}" for index in range(25))
    assert {(m["MessageAttributes"]["JobType"]["StringValue"], m["MessageAttributes"]["Attempt"]["DataType"])
            for m in back} == {("video", "Number")}
    assert queue_counts(sqs, dlq.url) == (0, 0)
    assert not journal.path.exists()  # a finished run leaves no journal behind


def test_fifo_messages_keep_their_group_and_order_and_get_a_deduplication_id_from_the_original(sqs, tmp_path):
    source, dlq = _pair(sqs, "orders", fifo=True)
    originals = {}
    for index in range(6):
        group = "customer-a" if index % 2 else "customer-b"
        sent = sqs.send_message(QueueUrl=dlq.url, MessageBody=f"{group} step {index}", MessageGroupId=group,
                                MessageDeduplicationId=f"d{index}")
        originals[f"{group} step {index}"] = sent["MessageId"]
    outcome = _redrive(sqs, dlq, source, Journal(tmp_path / "journal.jsonl"))
    assert (outcome.moved, outcome.complete) == (6, True)
    back = _drain(sqs, source)
    for group in ("customer-a", "customer-b"):
        bodies = [m["Body"] for m in back if m["Attributes"]["MessageGroupId"] == group]
        assert bodies == sorted(body for body in originals if body.startswith(group))  # order within the group
    assert {m["Attributes"]["MessageDeduplicationId"] for m in back} == {
        f"redrive-{message_id}" for message_id in originals.values()}


def test_a_message_the_destination_refuses_is_never_deleted(sqs, tmp_path):
    source, dlq = _pair(sqs, "small", MaximumMessageSize="1024")
    for index in range(3):
        sqs.send_message(QueueUrl=dlq.url, MessageBody=f"fits {index}")
    too_big = sqs.send_message(QueueUrl=dlq.url, MessageBody="x" * 2000)["MessageId"]
    outcome = _redrive(sqs, dlq, source, Journal(tmp_path / "journal.jsonl"))
    assert outcome.moved == 3 and not outcome.complete
    assert list(outcome.failed) == [too_big] and "sending to small-queue failed" in outcome.failed[too_big]
    assert outcome.left == 1
    left = sqs.receive_message(QueueUrl=dlq.url, MaxNumberOfMessages=10)["Messages"]  # visible again at once
    assert [(m["MessageId"], len(m["Body"])) for m in left] == [(too_big, 2000)]
    assert sorted(m["Body"] for m in _drain(sqs, source)) == ["fits 0", "fits 1", "fits 2"]


def test_in_a_fifo_group_nothing_overtakes_a_message_that_could_not_be_moved(sqs, tmp_path):
    source, dlq = _pair(sqs, "ordered", fifo=True, MaximumMessageSize="1024")
    sqs.send_message(QueueUrl=dlq.url, MessageBody="x" * 2000, MessageGroupId="a", MessageDeduplicationId="1")
    sqs.send_message(QueueUrl=dlq.url, MessageBody="a second", MessageGroupId="a", MessageDeduplicationId="2")
    sqs.send_message(QueueUrl=dlq.url, MessageBody="b first", MessageGroupId="b", MessageDeduplicationId="3")
    outcome = _redrive(sqs, dlq, source, Journal(tmp_path / "journal.jsonl"))
    assert [m["Body"] for m in _drain(sqs, source)] == ["b first"]
    assert outcome.moved == 1 and len(outcome.failed) == 2 and outcome.left == 2
    assert any("FIFO order" in reason for reason in outcome.failed.values())


def test_a_rerun_deletes_what_an_interrupted_run_had_sent_instead_of_sending_it_again(sqs, tmp_path):
    source, dlq = _pair(sqs, "resumed")
    for index in range(5):
        sqs.send_message(QueueUrl=dlq.url, MessageBody=f"m{index}")
    # An interrupted run: two copies sent and journaled, the originals not deleted yet (visible again).
    held = sqs.receive_message(QueueUrl=dlq.url, MaxNumberOfMessages=2, VisibilityTimeout=0)["Messages"]
    journal = Journal(tmp_path / "journal.jsonl")
    copies = [(m["MessageId"], sqs.send_message(QueueUrl=source.url, MessageBody=m["Body"])["MessageId"], source.url)
              for m in held]
    journal.record(copies)
    outcome = _redrive(sqs, dlq, source, Journal(journal.path))  # a new process reads the journal back
    assert (outcome.resumed, outcome.moved, outcome.complete) == (2, 3, True)
    assert sorted(m["Body"] for m in _drain(sqs, source)) == [f"m{index}" for index in range(5)]  # each once


def test_a_journal_line_cut_by_a_kill_loses_neither_the_lines_before_it_nor_those_after(tmp_path):
    path = tmp_path / "journal.jsonl"
    first = Journal(path)
    first.record([("m1", "c1", "url")])
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('{"message_id": "m2", "sent_')  # killed mid-write
    second = Journal(path)
    assert second.sent == {"m1": "c1"}
    second.record([("m3", "c3", "url")])
    assert Journal(path).sent == {"m1": "c1", "m3": "c3"}


def test_max_moves_only_that_many_and_says_the_rest_is_left(sqs, tmp_path):
    source, dlq = _pair(sqs, "partial")
    for index in range(12):
        sqs.send_message(QueueUrl=dlq.url, MessageBody=f"m{index}")
    outcome = _redrive(sqs, dlq, source, Journal(tmp_path / "journal.jsonl"), limit=5)
    assert (outcome.moved, outcome.left, outcome.complete) == (5, 7, False)
    assert queue_counts(sqs, dlq.url) == (7, 0)  # nothing held back invisible


def test_without_start_message_move_task_the_move_task_path_steps_aside(sqs):
    _, dlq = _pair(sqs, "old-endpoint")
    assert with_move_task(sqs, dlq, None, lambda line: None, rate=None) is None


def _client_error(status: int, code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       "ListMessageMoveTasks")


@pytest.mark.parametrize(("error", "unsupported"), [
    (_client_error(500, "500"), True),  # moto server: a bare HTML 500 page
    (_client_error(501, "NotImplemented"), True),
    (_client_error(400, "InvalidAction"), True),
    (_client_error(400, "UnknownOperationException"), True),
    (NotImplementedError("The list_message_move_tasks action has not been implemented"), True),  # in-process moto
    (_client_error(500, "InternalError"), False),  # SQS failing: an error, not a reason to copy instead
    (_client_error(403, "AccessDenied"), False),
    (_client_error(400, "AWS.SimpleQueueService.UnsupportedOperation"), False),
])  # fmt: skip
def test_an_endpoint_without_the_operation_is_told_from_one_that_refuses_it(error, unsupported):
    assert _unsupported(error) is unsupported
