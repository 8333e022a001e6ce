"""`peek DLQ`: the failed messages of a dead-letter queue, left where they are.

SQS has no read without a receive: a peek receives the messages with a short visibility timeout (HOLD_SECONDS)
and makes them visible again at once (ChangeMessageVisibility 0), also when interrupted; if the process dies
they are back after HOLD_SECONDS. Each peek counts as one receive in ApproximateReceiveCount, which is harmless
in a DLQ (it has no redrive policy of its own). A FIFO queue hands out one message group at a time, so a peek of
a FIFO DLQ shows the oldest messages of some groups, not necessarily the N oldest of the queue.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from generator.ops.sqs_messages import attribute_values, release, timestamp

if TYPE_CHECKING:
    from types_boto3_sqs import SQSClient
    from types_boto3_sqs.type_defs import MessageTypeDef

HOLD_SECONDS = 20
BODY_SHOWN = 2000  # characters of a body in the text output (--json has all)


@dataclass(frozen=True)
class PeekedMessage:
    message_id: str
    body: str
    attributes: dict[str, str]  # message attributes, as text
    receive_count: int  # ApproximateReceiveCount, this peek's receive included
    sent: str | None  # SentTimestamp
    first_received: str | None  # ApproximateFirstReceiveTimestamp
    source_arn: str | None  # DeadLetterQueueSourceArn: the queue it failed in
    group_id: str | None
    deduplication_id: str | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Peek:
    messages: list[PeekedMessage]
    not_released: int  # messages that stay hidden until HOLD_SECONDS pass (ChangeMessageVisibility failed)


def peek(sqs: SQSClient, url: str, limit: int) -> Peek:
    received: dict[str, MessageTypeDef] = {}
    handles: list[str] = []
    try:
        while len(received) < limit:
            batch = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=min(10, limit - len(received)), VisibilityTimeout=HOLD_SECONDS,
                WaitTimeSeconds=1, MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"],
            ).get("Messages", [])  # fmt: skip
            if not batch:
                break
            handles += [message["ReceiptHandle"] for message in batch]
            for message in batch:
                received.setdefault(message["MessageId"], message)
    finally:
        not_released = release(sqs, url, handles)
    return Peek([_peeked(message) for message in received.values()], not_released)


def _peeked(message: MessageTypeDef) -> PeekedMessage:
    system = message.get("Attributes", {})
    return PeekedMessage(
        message_id=message["MessageId"],
        body=message["Body"],
        attributes=attribute_values(message.get("MessageAttributes", {})),
        receive_count=int(system.get("ApproximateReceiveCount", 0)),
        sent=timestamp(system.get("SentTimestamp")),
        first_received=timestamp(system.get("ApproximateFirstReceiveTimestamp")),
        source_arn=system.get("DeadLetterQueueSourceArn"),
        group_id=system.get("MessageGroupId"),
        deduplication_id=system.get("MessageDeduplicationId"),
    )


def format_peek(queue_name: str, result: Peek, total: int) -> list[str]:
    shown = len(result.messages)
    lines = [f"{queue_name}: {shown} of {total} message{'' if total == 1 else 's'} shown, left in the queue"]
    for message in result.messages:
        facts = [f"received {message.receive_count}× (this peek included)", f"sent {message.sent or '?'}",
                 f"first received {message.first_received or '?'}"]
        if message.source_arn:
            facts.append(f"failed in {message.source_arn.rsplit(':', 1)[-1]}")
        if message.group_id:
            facts.append(f"group {message.group_id}")
        lines.append("")
        lines.append(f"  {message.message_id}: " + ", ".join(facts))
        if message.attributes:
            lines.append("    attributes: " + ", ".join(f"{k}={v}" for k, v in message.attributes.items()))
        body = message.body
        if len(body) > BODY_SHOWN:
            body = f"{body[:BODY_SHOWN]}… ({len(message.body) - BODY_SHOWN} more characters: --json shows all)"
        lines.append(f"    body: {body}")
    if result.not_released:
        lines.append(f"{result.not_released} messages stay hidden for up to {HOLD_SECONDS} s (their visibility "
                     "could not be reset)")
    return lines
