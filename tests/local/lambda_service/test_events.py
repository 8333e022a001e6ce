"""The events the runner hands a function have the shape Lambda gives them."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json

import boto3
from moto import mock_aws

from generator.local.lambda_service.events import (
    RECEIVE_EVERYTHING,
    function_url_event,
    function_url_response,
    sqs_event,
    sqs_record,
)

# The keys of an SQS record, from the Lambda developer guide's example event.
RECORD_KEYS = {"messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfBody",
               "md5OfMessageAttributes", "eventSource", "eventSourceARN", "awsRegion"}
SYSTEM_ATTRIBUTES = {"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"}


def test_a_received_message_becomes_the_record_lambda_builds():
    with mock_aws():
        sqs = boto3.client("sqs", region_name="eu-west-1")
        url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody='{"job_id": "j1"}', MessageAttributes={
            "JobType": {"DataType": "String", "StringValue": "video_download"},
            "Blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        })
        message = sqs.receive_message(QueueUrl=url, **RECEIVE_EVERYTHING)["Messages"][0]
    record = sqs_record(message, "arn:aws:sqs:eu-west-1:123456789012:jobs")
    assert set(record) == RECORD_KEYS
    assert record["eventSource"] == "aws:sqs"
    assert record["awsRegion"] == "eu-west-1"
    assert record["body"] == '{"job_id": "j1"}'
    assert record["md5OfBody"] == hashlib.md5(b'{"job_id": "j1"}').hexdigest()
    assert set(record["attributes"]) >= SYSTEM_ATTRIBUTES
    assert all(isinstance(value, str) for value in record["attributes"].values())
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["JobType"] == {
        "stringValue": "video_download", "stringListValues": [], "binaryListValues": [], "dataType": "String"}
    assert base64.b64decode(record["messageAttributes"]["Blob"]["binaryValue"]) == b"\x00\x01"
    assert sqs_event([record]) == {"Records": [record]}


def test_powertools_reads_the_record():
    from aws_lambda_powertools.utilities.data_classes import SQSEvent

    message = {"MessageId": "m1", "ReceiptHandle": "r1", "Body": "hello", "MD5OfBody": "x",
               "Attributes": {"ApproximateReceiveCount": "2", "SentTimestamp": "1"}}
    event = SQSEvent(sqs_event([sqs_record(message, "arn:aws:sqs:us-east-1:123456789012:q")]))
    record = next(iter(event.records))
    assert (record.message_id, record.body, record.attributes.approximate_receive_count) == ("m1", "hello", "2")
    assert record.queue_url.endswith("/123456789012/q")


def _url_event(**overrides):
    arguments = dict(method="POST", raw_path="/jobs", raw_query="a=1&a=2&b=3",
                     headers={"Content-Type": "application/json", "X-Two": "1", "x-two": "2", "Cookie": "c=1; d=2"},
                     body=b'{"k": "v"}', source_ip="127.0.0.1", url_id="abc123", account_id="123456789012",
                     region="us-east-1", caller={"accessKey": "AKIA1", "accountId": "123456789012"},
                     now=dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC))
    arguments.update(overrides)
    return function_url_event(**arguments)


def test_an_http_request_becomes_a_payload_2_0_event():
    event = _url_event()
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/jobs" and event["rawQueryString"] == "a=1&a=2&b=3"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "3"}
    assert event["headers"]["x-two"] == "1,2" and "cookie" not in event["headers"]
    assert event["cookies"] == ["c=1", "d=2"]
    assert event["body"] == '{"k": "v"}' and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["http"] == {"method": "POST", "path": "/jobs", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                               "userAgent": ""}
    assert context["domainName"] == "abc123.lambda-url.us-east-1.on.aws"
    assert context["authorizer"]["iam"]["accessKey"] == "AKIA1"
    assert context["timeEpoch"] == 1796126400000
    json.dumps(event)


def test_binary_bodies_are_base64_and_auth_none_has_no_authorizer():
    event = _url_event(headers={"Content-Type": "application/octet-stream"}, body=b"\xff\x00", caller=None)
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\xff\x00"
    assert "authorizer" not in event["requestContext"]


def test_responses_follow_the_function_url_response_format():
    assert function_url_response({"statusCode": 201, "headers": {"a": "b"}, "body": "hi"}) == (201, {"a": "b"}, b"hi")
    _, _, data = function_url_response({"statusCode": 200, "body": base64.b64encode(b"\x00").decode(),
                                                   "isBase64Encoded": True})
    assert data == b"\x00"
    assert function_url_response({"message": "no statusCode"}) == (
        200, {"content-type": "application/json"}, b'{"message": "no statusCode"}')
    assert function_url_response("text")[2] == b"text"


# ── events made here (`invoke`, `event`) ────────────────────────────────────────────────────────────────────

ATTRIBUTES = {
    "JobType": {"DataType": "String", "StringValue": "video_download"},
    "Attempt": {"DataType": "Number", "StringValue": "3"},
    "Blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
    "Custom": {"DataType": "String.json", "StringValue": '{"é": 1}'},
}


def test_the_md5s_are_the_ones_sqs_returns_for_the_same_message():
    from generator.local.lambda_service.events import md5_of_body, md5_of_message_attributes

    body = '{"job_id": "j1", "title": "Ünïcode ✓"}'
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        sent = sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=ATTRIBUTES)
    assert md5_of_body(body) == sent["MD5OfMessageBody"]
    assert md5_of_message_attributes(ATTRIBUTES) == sent["MD5OfMessageAttributes"]
    # the order attributes are given in does not matter (SQS sorts by name); a value does
    assert md5_of_message_attributes(dict(reversed(list(ATTRIBUTES.items())))) == sent["MD5OfMessageAttributes"]
    changed = {**ATTRIBUTES, "Attempt": {"DataType": "Number", "StringValue": "4"}}
    assert md5_of_message_attributes(changed) != sent["MD5OfMessageAttributes"]


def test_a_made_message_becomes_a_record_like_a_polled_one_with_fresh_ids():
    from generator.local.lambda_service.events import delivered_message

    now = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    arn = "arn:aws:sqs:eu-west-1:123456789012:jobs"
    first, second = (sqs_record(delivered_message("hi", ATTRIBUTES, sender_id="AIDALOCAL", now=now), arn)
                     for _ in range(2))
    assert set(first) == RECORD_KEYS
    assert first["messageId"] != second["messageId"] and first["receiptHandle"] != second["receiptHandle"]
    assert first["attributes"] == {"ApproximateReceiveCount": "1", "SentTimestamp": "1767323045000",
                                   "SenderId": "AIDALOCAL", "ApproximateFirstReceiveTimestamp": "1767323045000"}
    assert (first["eventSourceARN"], first["awsRegion"]) == (arn, "eu-west-1")
    assert first["md5OfBody"] == hashlib.md5(b"hi").hexdigest()
    assert first["messageAttributes"]["Attempt"] == {"stringValue": "3", "stringListValues": [],
                                                     "binaryListValues": [], "dataType": "Number"}
    assert base64.b64decode(first["messageAttributes"]["Blob"]["binaryValue"]) == b"\x00\x01\xff"
    without = sqs_record(delivered_message("hi", sender_id="AIDALOCAL"), arn)
    assert "md5OfMessageAttributes" not in without and without["messageAttributes"] == {}


def test_attributes_on_the_command_line():
    import pytest

    from generator.local.lambda_service.events import parse_attribute

    assert parse_attribute("Priority=high") == ("Priority", {"DataType": "String", "StringValue": "high"})
    assert parse_attribute("Attempt:Number=2") == ("Attempt", {"DataType": "Number", "StringValue": "2"})
    assert parse_attribute("Url=http://x/?a=b") == ("Url", {"DataType": "String", "StringValue": "http://x/?a=b"})
    for wrong in ("novalue", "=x", "A:Binary=x"):
        with pytest.raises(ValueError):
            parse_attribute(wrong)
