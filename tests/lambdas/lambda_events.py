"""Real-shaped Lambda events and a fake Lambda context for the function tests.

Every SQS record gets its own messageId and receiptHandle (a shared id would make partial batch responses
meaningless), its body as a string, string attributes, messageAttributes and md5OfBody, as Lambda delivers
them.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import time
import uuid
from typing import Any

REGION = "us-east-1"
ACCOUNT = "123456789012"

_sequence = itertools.count(1)


def sqs_record(
    body: str | dict | Any,
    *,
    queue: str = "test-queue",
    message_id: str | None = None,
    receive_count: int = 1,
    message_attributes: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One SQS record; `body` may be a contract message (serialized), a dict (JSON) or a raw string."""
    if hasattr(body, "to_json"):
        body = body.to_json()
    elif isinstance(body, dict):
        body = json.dumps(body)
    now_ms = str(int(time.time() * 1000))
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": base64.b64encode(f"handle-{next(_sequence)}-{uuid.uuid4()}".encode()).decode(),
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": now_ms,
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": now_ms,
        },
        "messageAttributes": {
            name: {"stringValue": value, "stringListValues": [], "binaryListValues": [], "dataType": "String"}
            for name, value in (message_attributes or {}).items()
        },
        "md5OfBody": hashlib.md5(body.encode("utf-8")).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}",
        "awsRegion": REGION,
    }


def sqs_event(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}


def redelivered(record: dict[str, Any]) -> dict[str, Any]:
    """The same message delivered again: same messageId and body, new receipt handle, count + 1."""
    again = json.loads(json.dumps(record))
    again["receiptHandle"] = base64.b64encode(f"handle-{uuid.uuid4()}".encode()).decode()
    count = int(record["attributes"]["ApproximateReceiveCount"]) + 1
    again["attributes"]["ApproximateReceiveCount"] = str(count)
    return again


def failed_ids(response: dict[str, Any]) -> list[str]:
    return sorted(item["itemIdentifier"] for item in response["batchItemFailures"])


def sqs_bodies(sqs_client: Any, queue_url: str) -> list[dict[str, Any]]:
    """Every message waiting in a (moto) queue, as parsed JSON bodies, deleting them as they are read."""
    bodies = []
    while True:
        response = sqs_client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        messages = response.get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs_client.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def queue_as_records(sqs_client: Any, queue_url: str) -> list[dict[str, Any]]:
    """Receive a (moto) queue's messages as Lambda would hand them over: a ready-made batch of records."""
    records = []
    while True:
        response = sqs_client.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        )
        messages = response.get("Messages", [])
        if not messages:
            return records
        for message in messages:
            attributes = {
                name: value["StringValue"] for name, value in message.get("MessageAttributes", {}).items()
            }
            records.append(
                sqs_record(message["Body"], message_id=message["MessageId"], message_attributes=attributes)
            )
            sqs_client.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


CALLER_ARN = f"arn:aws:iam::{ACCOUNT}:user/example-app"


def iam_authorizer(user_arn: str = CALLER_ARN, account: str = ACCOUNT) -> dict[str, Any]:
    """`requestContext.authorizer` of a function URL with auth type AWS_IAM (Lambda fills it from SigV4)."""
    return {
        "iam": {
            "accessKey": "AKIAIOSFODNN7EXAMPLE",
            "accountId": account,
            "callerId": "AIDACKCEVSQ6C2EXAMPLE",
            "cognitoIdentity": None,
            "principalOrgId": None,
            "userArn": user_arn,
            "userId": "AIDACKCEVSQ6C2EXAMPLE",
        }
    }


def http_event(
    body: str | dict | None = None,
    *,
    method: str = "POST",
    path: str = "/jobs",
    headers: dict[str, str] | None = None,
    base64_body: bool = False,
    caller: str | None = CALLER_ARN,
) -> dict[str, Any]:
    """A Lambda function URL event, payload format 2.0 (an HTTP API's 2.0 events have the same shape).

    `caller`: the signer's ARN, as a URL with auth type AWS_IAM reports it (requestContext.authorizer.iam);
    None builds the event of a URL with auth type NONE (no authorizer at all).
    """
    if isinstance(body, dict):
        body = json.dumps(body)
    if base64_body and body is not None:
        body = base64.b64encode(body.encode("utf-8", "surrogatepass")).decode()
    event = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "api.example.com", **(headers or {})},
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "api1234",
            "domainName": "api.example.com",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": "pytest",
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": f"{method} {path}",
            "stage": "$default",
            "time": "29/Nov/2026:10:00:00 +0000",
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": base64_body,
    }
    if caller is not None:
        event["requestContext"]["authorizer"] = iam_authorizer(caller)
    if body is not None:
        event["body"] = body
    return event


def rest_api_event(body: str | dict | None = None, *, method: str = "POST", path: str = "/jobs") -> dict[str, Any]:
    """An API Gateway REST API event (payload format 1.0), which the router refuses with a 400."""
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {"Content-Type": ["application/json"]},
        "queryStringParameters": None,
        "requestContext": {
            "accountId": ACCOUNT,
            "httpMethod": method,
            "identity": {"userArn": CALLER_ARN, "sourceIp": "203.0.113.10"},
            "path": f"/prod{path}",
            "requestId": str(uuid.uuid4()),
            "stage": "prod",
        },
        "body": json.dumps(body) if isinstance(body, dict) else body,
        "isBase64Encoded": False,
    }


class FakeLambdaContext:
    """What Lambda passes as `context`, with a clock: remaining time counts down from `remaining_ms`."""

    def __init__(self, function_name: str = "test-function", remaining_ms: int = 60_000) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 256
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "2026/11/29/[$LATEST]0123456789abcdef"
        self._deadline = time.monotonic() + remaining_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def logged_text(caplog: Any) -> str:
    """Everything the functions logged (messages, extra fields, exceptions), for assertions on reasons."""
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        lines.extend(str(value) for key, value in vars(record).items() if key in ("reason", "exception"))
        if record.exc_info and record.exc_info[1] is not None:
            lines.append(f"{type(record.exc_info[1]).__name__}: {record.exc_info[1]}")
    return "\n".join(lines)
