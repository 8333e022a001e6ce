"""The events Lambda hands a function, built exactly as Lambda builds them.

- SQS: https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html (record shape: messageId, receiptHandle,
  body, attributes, messageAttributes in camelCase with the list fields, md5OfBody, eventSource, eventSourceARN,
  awsRegion).
- Function URL, payload format 2.0: https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import struct
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

if TYPE_CHECKING:
    from types_boto3_sqs.literals import MessageSystemAttributeNameType
    from types_boto3_sqs.type_defs import (
        MessageAttributeValueOutputTypeDef,
        MessageAttributeValueTypeDef,
        MessageTypeDef,
    )


class ReceiveEverything(TypedDict):
    """ReceiveMessage parameters that return everything Lambda puts in a record."""

    MessageSystemAttributeNames: list[MessageSystemAttributeNameType]
    MessageAttributeNames: list[str]


RECEIVE_EVERYTHING: ReceiveEverything = {"MessageSystemAttributeNames": ["All"], "MessageAttributeNames": ["All"]}


class MessageAttribute(TypedDict):
    """An SQS message attribute as an SQS record carries it (camelCase, the list fields always present)."""

    stringListValues: list[str]
    binaryListValues: list[str]
    dataType: str
    stringValue: NotRequired[str]
    binaryValue: NotRequired[str]  # base64


class SqsRecord(TypedDict):
    """One message of an SQS event, as Lambda builds it."""

    messageId: str
    receiptHandle: str
    body: str
    attributes: dict[MessageSystemAttributeNameType, str]  # SentTimestamp, ApproximateReceiveCount, …
    messageAttributes: dict[str, MessageAttribute]
    md5OfBody: str
    eventSource: str
    eventSourceARN: str
    awsRegion: str
    md5OfMessageAttributes: NotRequired[str]


class SqsEvent(TypedDict):
    Records: list[SqsRecord]


def sqs_record(message: MessageTypeDef, queue_arn: str) -> SqsRecord:
    """One ReceiveMessage message as the record Lambda builds from it."""
    region = queue_arn.split(":")[3]
    record: SqsRecord = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {
            name: _message_attribute(value) for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: MessageAttributeValueOutputTypeDef) -> MessageAttribute:
    attribute: MessageAttribute = {"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        raw = value["BinaryValue"]
        attribute["binaryValue"] = base64.b64encode(raw).decode() if isinstance(raw, bytes) else raw
    return attribute


def sqs_event(records: Iterable[SqsRecord]) -> SqsEvent:
    return {"Records": list(records)}


def function_url_event(
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body: bytes,
    source_ip: str,
    url_id: str,
    account_id: str,
    region: str,
    caller: Mapping[str, str | None] | None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """An HTTP request as the payload-2.0 event a function URL delivers (a JSON document, sent as it is built).

    `caller` is the IAM identity of a signed request (AWS_IAM auth); None for auth type NONE.
    """
    now = now or dt.datetime.now(dt.UTC)
    lowered: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        lowered[key] = f"{lowered[key]},{value}" if key in lowered else value
    cookies = [part.strip() for part in lowered.pop("cookie", "").split(";") if part.strip()]
    text_types = ("application/json", "text/", "application/xml", "application/x-www-form-urlencoded")
    content_type = lowered.get("content-type", "")
    as_text = not body or any(content_type.startswith(kind) for kind in text_types)
    try:
        body_text = body.decode("utf-8") if as_text else None
    except UnicodeDecodeError:
        body_text = None
    query: dict[str, str] = {}
    for pair in filter(None, raw_query.split("&")):
        name, _, value = pair.partition("=")
        query[name] = f"{query[name]},{value}" if name in query else value
    domain_prefix = url_id
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": lowered,
        "requestContext": {
            "accountId": "anonymous" if caller is None else account_id,
            "apiId": url_id,
            "domainName": f"{domain_prefix}.lambda-url.{region}.on.aws",
            "domainPrefix": domain_prefix,
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": body_text is None,
    }
    if caller is not None:
        event["requestContext"]["authorizer"] = {"iam": dict(caller)}
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if body:
        event["body"] = body_text if body_text is not None else base64.b64encode(body).decode()
    return event


def function_url_response(result: object) -> tuple[int, dict[str, str], bytes]:
    """The HTTP response a function URL sends for a handler's return value (the response format's rules:
    a dict with statusCode is used as is, anything else is a 200 with the value as a JSON body)."""
    if isinstance(result, dict) and "statusCode" in result:
        headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
        body = result.get("body") or ""
        if result.get("isBase64Encoded"):
            data = base64.b64decode(body)
        else:
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
        for cookie in result.get("cookies") or []:
            headers.setdefault("set-cookie", cookie)
        return int(result["statusCode"]), headers, data
    data = result.encode() if isinstance(result, str) else json.dumps(result).encode()
    return 200, {"content-type": "application/json"}, data


# ── events made here (`invoke`, `event`): a message as SQS would have delivered it ───────────────────────────

_TRANSPORT = {"String": 1, "Number": 1, "Binary": 2}  # SQS's transport type byte, by the DataType's base type


def md5_of_body(body: str) -> str:
    """MD5OfBody: the hex MD5 of the body's UTF-8 bytes."""
    return hashlib.md5(body.encode("utf-8")).hexdigest()  # SQS's checksum, not a security use


def md5_of_message_attributes(attributes: Mapping[str, MessageAttributeValueTypeDef]) -> str:
    """MD5OfMessageAttributes as SQS computes it: per attribute in name order, each of name, DataType and value
    as a 4-byte big-endian length and the bytes, the value preceded by its transport type (1 string, 2 binary).
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html"""
    digest = hashlib.md5()  # SQS's checksum
    for name in sorted(attributes):
        value = attributes[name]
        data_type = value["DataType"]
        base = data_type.split(".", 1)[0]
        if base not in _TRANSPORT:
            raise ValueError(f"message attribute {name}: DataType {data_type!r} is not String, Number or Binary")
        digest.update(_length_prefixed(name.encode()))
        digest.update(_length_prefixed(data_type.encode()))
        digest.update(bytes([_TRANSPORT[base]]))
        if base == "Binary":
            raw = value.get("BinaryValue", b"")
            if isinstance(raw, str):
                raw = base64.b64decode(raw)
            if not isinstance(raw, bytes):
                raise ValueError(f"message attribute {name}: BinaryValue must be bytes or base64 text")
            digest.update(_length_prefixed(raw))
        else:
            digest.update(_length_prefixed(value.get("StringValue", "").encode()))
    return digest.hexdigest()


def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def parse_attribute(item: str) -> tuple[str, MessageAttributeValueTypeDef]:
    """`NAME=VALUE` (String) or `NAME:Number=VALUE` as a message attribute; ValueError says what is wrong."""
    name, sep, value = item.partition("=")
    name, _, kind = name.partition(":")
    if not sep or not name:
        raise ValueError(f"{item!r}: use NAME=VALUE (or NAME:Number=VALUE)")
    if kind not in ("", "String", "Number"):
        raise ValueError(f"{item!r}: the type is String (the default) or Number")
    return name, {"DataType": kind or "String", "StringValue": value}


def delivered_message(body: str, attributes: Mapping[str, MessageAttributeValueTypeDef] | None = None, *,
                      sender_id: str, receive_count: int = 1, now: dt.datetime | None = None) -> MessageTypeDef:
    """A message as ReceiveMessage (with RECEIVE_EVERYTHING) returns it on its first receive: a fresh message id
    and receipt handle, its MD5s, the system attributes. `sqs_record` turns it into the record, as for a polled one."""
    now = now or dt.datetime.now(dt.UTC)
    sent = int(now.timestamp() * 1000)
    message_id = str(uuid.uuid4())
    handle = base64.b64encode(f"{message_id} {uuid.uuid4().hex} {sent}".encode()).decode()
    message: MessageTypeDef = {
        "MessageId": message_id,
        "ReceiptHandle": handle,
        "MD5OfBody": md5_of_body(body),
        "Body": body,
        "Attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": str(sent),
            "SenderId": sender_id,
            "ApproximateFirstReceiveTimestamp": str(sent),
        },
    }
    if attributes:
        message["MessageAttributes"] = {name: dict(value) for name, value in attributes.items()}  # type: ignore[misc]
        message["MD5OfMessageAttributes"] = md5_of_message_attributes(attributes)
    return message
