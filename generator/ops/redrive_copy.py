"""`redrive --method copy` (and the fallback of `redrive` where the endpoint has no StartMessageMoveTask):
receive → send → delete, safe to interrupt and to run again.

A message is deleted from the DLQ only after its copy was sent. Every sent copy is first written to a journal
(fsync'd) and only then is the original deleted, so a run killed between the two is finished by the next one
(it deletes what the journal says was sent instead of sending it again); messages received but not sent come
back to the DLQ after the short visibility they are held with, and the next run waits for them. FIFO copies
keep their group id and order (a group stops at its first message that cannot be moved) and get a
deduplication id derived from the original message id, so FIFO queues drop a copy sent twice even without the
journal. The one window left: a run killed after SQS accepted a send and before the journal line was written;
a standard queue then gets that message twice (at-least-once, as SQS itself).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from generator.ops.redrive import Queue, RedriveOutcome
from generator.ops.sqs_messages import queue_counts, release, sendable_attributes
from generator.pause import pause_point

if TYPE_CHECKING:
    from types_boto3_sqs import SQSClient
    from types_boto3_sqs.type_defs import MessageTypeDef, SendMessageBatchRequestEntryTypeDef

# What signal.signal returns and takes back: a function, SIG_DFL or SIG_IGN, or None (set outside Python)
SignalHandler = Callable[[int, FrameType | None], Any] | int | None

BATCH_BYTES = 256 * 1024  # SendMessageBatch's payload limit
PROGRESS_SECONDS = 2.0



class Journal:
    """The DLQ message ids whose copies were sent, one JSON line each, fsync'd before the originals are deleted."""

    def __init__(self, path: Path):
        self.path = path
        self.sent: dict[str, str] = {}  # DLQ message id → the copy's message id
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = ""
        for line in text.splitlines():
            try:
                entry = json.loads(line)
                self.sent[entry["message_id"]] = entry["sent_as"]
            except (ValueError, KeyError, TypeError):  # the last line, cut by a kill mid-write
                continue
        self._cut = bool(text) and not text.endswith("\n")  # the next line must not continue the cut one

    def record(self, entries: list[tuple[str, str, str]]) -> None:
        """(DLQ message id, copy's message id, destination)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            if self._cut:
                handle.write("\n")
                self._cut = False
            for message_id, sent_as, destination in entries:
                handle.write(json.dumps({"message_id": message_id, "sent_as": sent_as, "to": destination}) + "\n")
                self.sent[message_id] = sent_as
            handle.flush()
            os.fsync(handle.fileno())

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
        self.sent.clear()


@dataclass
class _Run:
    sqs: SQSClient
    dlq: Queue
    destinations: Callable[[MessageTypeDef], Queue | None]  # the queue a received message goes back to
    journal: Journal
    visibility: int
    outcome: RedriveOutcome
    held: list[str] = field(default_factory=list)  # receipt handles to make visible again at the end
    copies: set[str] = field(default_factory=set)  # ids of copies sent in this run (a copy failing again and
    # landing back in the DLQ is not moved twice in one run)
    blocked_groups: set[str] = field(default_factory=set)  # FIFO groups with a failure: the rest waits (order)
    batches: int = 0


def by_copy(sqs: SQSClient, dlq: Queue, destinations: Callable[[MessageTypeDef], Queue | None], journal: Journal,
            progress: Callable[[str], None], *, limit: int | None, visibility: int,
            in_flight_wait: float) -> RedriveOutcome:
    started = time.monotonic()
    visible, in_flight = queue_counts(sqs, dlq.url)
    run = _Run(sqs, dlq, destinations, journal, visibility, RedriveOutcome("copy", to_move=visible + in_flight))
    if journal.sent:
        progress(f"journal {journal.path}: {len(journal.sent)} copies sent by an earlier, interrupted run; "
                 "their originals still in the DLQ are deleted, not sent again")
    stop = _StopOnSignal()
    last_report = time.monotonic()
    waited_since: float | None = None
    try:
        with stop:
            while not stop.requested and (limit is None or run.outcome.moved + run.outcome.resumed < limit):
                want = 10 if limit is None else min(10, limit - run.outcome.moved - run.outcome.resumed)
                batch = sqs.receive_message(QueueUrl=dlq.url, MaxNumberOfMessages=want, VisibilityTimeout=visibility,
                                            WaitTimeSeconds=1, MessageSystemAttributeNames=["All"],
                                            MessageAttributeNames=["All"]).get("Messages", [])
                if not batch:
                    visible, in_flight = queue_counts(sqs, dlq.url)
                    in_flight -= len(run.held)
                    if not visible and in_flight <= 0:
                        break
                    # Visible but not handed out (a FIFO group behind a held message), or in flight: an
                    # interrupted run's hold runs out within its visibility timeout.
                    waited_since = waited_since or time.monotonic()
                    if time.monotonic() - waited_since > in_flight_wait:
                        break
                    if time.monotonic() - last_report >= PROGRESS_SECONDS:
                        progress(f"waiting for {dlq.name}: {in_flight} messages in flight, {visible} not handed "
                                 "out yet (held by another reader, or by an interrupted run until its visibility "
                                 "timeout ends)")
                        last_report = time.monotonic()
                    continue
                waited_since = None
                run.batches += 1
                pause_point(f"redrive-received-{run.batches}")
                _move_batch(run, batch)
                if time.monotonic() - last_report >= PROGRESS_SECONDS:
                    progress(f"moved {run.outcome.moved} of ~{run.outcome.to_move}"
                             + (f", {len(run.outcome.failed)} failed" if run.outcome.failed else ""))
                    last_report = time.monotonic()
    finally:
        release(sqs, dlq.url, run.held)
    run.outcome.interrupted = stop.requested
    visible, in_flight = queue_counts(sqs, dlq.url)
    run.outcome.left = visible + in_flight
    if run.outcome.complete:  # every original deleted: nothing in the journal can matter any more
        journal.clear()
    run.outcome.seconds = time.monotonic() - started
    return run.outcome


def _move_batch(run: _Run, batch: list[MessageTypeDef]) -> None:
    already = [m for m in batch if m["MessageId"] in run.journal.sent]
    skipped = [m for m in batch if m["MessageId"] in run.copies]
    run.held += [m["ReceiptHandle"] for m in skipped]
    fresh = [m for m in batch if m not in already and m not in skipped]
    groups: dict[str, tuple[Queue, list[MessageTypeDef]]] = {}  # destination URL → the destination, its messages
    for message in fresh:
        destination = run.destinations(message)
        if destination is None:
            _fail(run, message, "its source queue is unknown: name it with --to QUEUE")
        else:
            groups.setdefault(destination.url, (destination, []))[1].append(message)
    sent: list[tuple[MessageTypeDef, str, str]] = []
    for destination, messages in groups.values():
        for chunk in _chunks(messages, fifo=destination.fifo):
            chunk = _unblocked(run, chunk)
            if chunk:
                sent += _send(run, destination, chunk)
    run.journal.record([(m["MessageId"], sent_as, url) for m, sent_as, url in sent])
    pause_point(f"redrive-journaled-{run.batches}")
    run.copies |= {sent_as for _, sent_as, _ in sent}
    deleted = _delete(run, [m for m, _, _ in sent] + already)
    run.outcome.moved += sum(1 for m, _, _ in sent if m["MessageId"] in deleted)
    run.outcome.resumed += sum(1 for m in already if m["MessageId"] in deleted)


def _chunks(messages: list[MessageTypeDef], *, fifo: bool) -> list[list[MessageTypeDef]]:
    """SendMessageBatch-sized chunks, in order. On FIFO queues a chunk holds one message per group, so a failed
    entry can only be followed by its group's next message in a later chunk, which is then held back."""
    chunks: list[list[MessageTypeDef]] = []
    size = 0
    groups: set[str | None] = set()
    for message in messages:
        weight = len(message["Body"].encode()) + len(json.dumps(message.get("MessageAttributes", {})))
        group = message.get("Attributes", {}).get("MessageGroupId")
        if not chunks or len(chunks[-1]) == 10 or size + weight > BATCH_BYTES or (fifo and group in groups):
            chunks.append([])
            size, groups = 0, set()
        chunks[-1].append(message)
        size += weight
        groups.add(group)
    return chunks


def _unblocked(run: _Run, chunk: list[MessageTypeDef]) -> list[MessageTypeDef]:
    kept = []
    for message in chunk:
        group = message.get("Attributes", {}).get("MessageGroupId")
        if group is not None and group in run.blocked_groups:
            _fail(run, message, f"an earlier message of group {group} was not moved (FIFO order)")
        else:
            kept.append(message)
    return kept


def _send(run: _Run, destination: Queue, messages: list[MessageTypeDef]) -> list[tuple[MessageTypeDef, str, str]]:
    entries = []
    for index, message in enumerate(messages):
        entry: SendMessageBatchRequestEntryTypeDef = {"Id": str(index), "MessageBody": message["Body"]}
        attributes = sendable_attributes(message.get("MessageAttributes", {}))
        if attributes:
            entry["MessageAttributes"] = attributes
        trace = message.get("Attributes", {}).get("AWSTraceHeader")
        if trace:
            entry["MessageSystemAttributes"] = {"AWSTraceHeader": {"DataType": "String", "StringValue": trace}}
        if destination.fifo:
            entry["MessageGroupId"] = message.get("Attributes", {}).get("MessageGroupId") or "redrive"
            entry["MessageDeduplicationId"] = f"redrive-{message['MessageId']}"
        entries.append(entry)
    try:
        answer = run.sqs.send_message_batch(QueueUrl=destination.url, Entries=entries)
    except ClientError as error:  # the whole batch refused, nothing sent: one by one, so only the culprits stay
        if len(messages) > 1:
            return [sent for message in messages for sent in _send(run, destination, [message])]
        reason = f"{error.response['Error'].get('Code')}: {error.response['Error'].get('Message')}"
        _fail(run, messages[0], f"sending to {destination.name} failed ({reason})")
        return []
    for failure in answer.get("Failed", []):
        _fail(run, messages[int(failure["Id"])],
              f"sending to {destination.name} failed ({failure.get('Code')}: {failure.get('Message', '')})")
    return [(messages[int(ok["Id"])], ok["MessageId"], destination.url) for ok in answer.get("Successful", [])]


def _delete(run: _Run, messages: list[MessageTypeDef]) -> set[str]:
    deleted: set[str] = set()
    for start in range(0, len(messages), 10):
        chunk = messages[start:start + 10]
        answer = run.sqs.delete_message_batch(QueueUrl=run.dlq.url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)])
        deleted |= {chunk[int(ok["Id"])]["MessageId"] for ok in answer.get("Successful", [])}
        for failure in answer.get("Failed", []):  # sent, journaled, still in the DLQ: the next run deletes it
            run.outcome.failed[chunk[int(failure["Id"])]["MessageId"]] = (
                f"sent, but deleting it from the DLQ failed ({failure.get('Code')}); a re-run deletes it")
    return deleted


def _fail(run: _Run, message: MessageTypeDef, reason: str) -> None:
    run.outcome.failed[message["MessageId"]] = reason
    run.held.append(message["ReceiptHandle"])
    group = message.get("Attributes", {}).get("MessageGroupId")
    if group is not None:
        run.blocked_groups.add(group)


class _StopOnSignal:
    """Ctrl-C or SIGTERM ends the run after the batch in hand (sent, journaled, deleted), never inside it."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, SignalHandler] = {}

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True

    def __enter__(self) -> _StopOnSignal:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

