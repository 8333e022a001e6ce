"""Helpers for messages received from SQS by the operations commands (peek, redrive)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types_boto3_sqs import SQSClient
    from types_boto3_sqs.type_defs import MessageAttributeValueOutputTypeDef, MessageAttributeValueTypeDef


def queue_counts(sqs: SQSClient, url: str) -> tuple[int, int]:
    """(visible, in flight) of a queue."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]  # fmt: skip
    return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesNotVisible"])


def release(sqs: SQSClient, url: str, receipt_handles: list[str]) -> int:
    """Make received messages visible again at once (ChangeMessageVisibility 0); how many could not be."""
    failed = 0
    for start in range(0, len(receipt_handles), 10):
        chunk = receipt_handles[start:start + 10]
        answer = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": handle, "VisibilityTimeout": 0} for i, handle in enumerate(chunk)])
        failed += len(answer.get("Failed", []))
    return failed


def sendable_attributes(received: Mapping[str, MessageAttributeValueOutputTypeDef],
                        ) -> dict[str, MessageAttributeValueTypeDef]:
    """Message attributes as SendMessage takes them back (ReceiveMessage adds empty list fields SQS reserves)."""
    found: dict[str, MessageAttributeValueTypeDef] = {}
    for name, value in received.items():
        kept: MessageAttributeValueTypeDef = {"DataType": value["DataType"]}
        if "StringValue" in value:
            kept["StringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            kept["BinaryValue"] = value["BinaryValue"]
        found[name] = kept
    return found


def attribute_values(received: Mapping[str, MessageAttributeValueOutputTypeDef]) -> dict[str, str]:
    """name → value as text (binary values as their length), for display."""
    shown = {}
    for name, value in sorted(received.items()):
        if "StringValue" in value:
            shown[name] = value["StringValue"]
        else:
            shown[name] = f"<{len(value.get('BinaryValue', b''))} bytes>"
    return shown


def timestamp(milliseconds: str | int | None) -> str | None:
    """An SQS epoch-milliseconds attribute as ISO 8601 UTC."""
    if milliseconds in (None, "", "0", 0):
        return None
    moment = dt.datetime.fromtimestamp(int(milliseconds) / 1000, dt.UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
