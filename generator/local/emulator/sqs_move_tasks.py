"""Dead-letter queue redrive in the emulator, as SQS does it: two patches of the compatibility layer (compat.py).

moto 5.2.5 has no StartMessageMoveTask, ListMessageMoveTasks or CancelMessageMoveTask (a call answers "not
implemented"), and a message it moves to a dead-letter queue does not say where it came from (SQS returns the
DeadLetterQueueSourceArn system attribute). What is emulated here is what the SQS API reference and developer
guide say:

- a task moves the messages of a queue that is some other queue's dead-letter queue, oldest first, to
  DestinationArn or, when that is not given, back to each message's own source queue;
- a moved message is a new message (new MessageId, enqueue time and receive count) with the body, message
  attributes and, on FIFO queues, the group id of the original; the original leaves the dead-letter queue;
- ApproximateNumberOfMessagesToMove is counted when the task starts, and the task ends when that many were
  moved or the queue holds no visible message any more;
- at most one active task per source queue; MaxNumberOfMessagesPerSecond is at most 500;
- ListMessageMoveTasks returns the most recent tasks (MaxResults 1 by default, at most 10), the TaskHandle only
  while the task runs; CancelMessageMoveTask stops a running task and answers how many were moved.

Where the reference names no error code, the refusals below use the operation's documented error shapes
(ResourceNotFoundException, UnsupportedOperation) or InvalidParameterValue.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from generator.local.emulator.patch import Patch, patch

if TYPE_CHECKING:
    from moto.core.responses import ActionResult
    from moto.sqs.models import Message, Queue, SQSBackend

MAX_RATE = 500  # messages per second, the API's limit
DEFAULT_RATE = 500  # SQS "optimizes the rate"; here: as fast as the limit allows
LIST_LIMIT = 10

_receiving = threading.local()  # the queue a ReceiveMessage is reading, while moto moves messages to its DLQ


@patch("SQS: a message moved to a dead-letter queue carries its source queue (the DeadLetterQueueSourceArn "
       "system attribute), as SQS returns it")
def _dead_letter_source_arn() -> None:
    """Messages moved to a dead-letter queue remember their source queue; ReceiveMessage returns it as the
    DeadLetterQueueSourceArn system attribute (with "All" or by name)."""
    from moto.sqs.models import Queue, SQSBackend
    from moto.sqs.responses import SQSResponse

    add_message, receive_message = Queue.add_message, SQSBackend.receive_message
    respond = SQSResponse.receive_message

    def receive_from(self: SQSBackend, queue_name: str, *args: Any, **kwargs: Any) -> list[Message]:
        previous, _receiving.queue = getattr(_receiving, "queue", None), self.get_queue(queue_name)
        try:
            received = receive_message(self, queue_name, *args, **kwargs)  # (copies of) the messages
            _receiving.received = received
            return received
        finally:
            _receiving.queue = previous

    def add_to(self: Queue, message: Message) -> None:
        source = getattr(_receiving, "queue", None)
        if source is not None and source.dead_letter_queue is self:  # moto moving it past maxReceiveCount
            message.dead_letter_queue_source_arn = source.queue_arn  # type: ignore[attr-defined]  # ours, on moto's Message
        return add_message(self, message)

    def receive_response(self: SQSResponse) -> ActionResult:
        result = respond(self)
        wanted = set(self._get_param("MessageSystemAttributeNames", []) + self._get_param("AttributeNames", []))
        if not wanted & {"All", "DeadLetterQueueSourceArn"}:
            return result
        sources = {m.id: getattr(m, "dead_letter_queue_source_arn", None) for m in getattr(_receiving, "received", [])}
        answer: Any = result.result or {}  # ReceiveMessage's result, a dict (moto types every result as object)
        for message in answer.get("Messages", []):
            if sources.get(message["MessageId"]):
                message.setdefault("Attributes", {})["DeadLetterQueueSourceArn"] = sources[message["MessageId"]]
        return result

    Queue.add_message = add_to
    SQSBackend.receive_message = receive_from
    SQSResponse.receive_message = receive_response


# ── message move tasks ─────────────────────────────────────────────────────────────────────────────────────


@dataclass
class MoveTask:
    handle: str
    source_arn: str
    destination_arn: str | None
    rate: int | None
    started: int  # epoch milliseconds
    to_move: int
    moved: int = 0
    status: str = "RUNNING"
    failure: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    def entry(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "Status": self.status, "SourceArn": self.source_arn, "StartedTimestamp": self.started,
            "ApproximateNumberOfMessagesMoved": self.moved, "ApproximateNumberOfMessagesToMove": self.to_move,
        }  # fmt: skip
        if self.status == "RUNNING":
            found["TaskHandle"] = self.handle
        if self.destination_arn:
            found["DestinationArn"] = self.destination_arn
        if self.rate is not None:
            found["MaxNumberOfMessagesPerSecond"] = self.rate
        if self.failure:
            found["FailureReason"] = self.failure
        return found


@patch("SQS: dead-letter queue redrive with StartMessageMoveTask, ListMessageMoveTasks and CancelMessageMoveTask "
       "(moto answers 'not implemented'), so `redrive` and `aws sqs start-message-move-task` work here")
def _message_move_tasks() -> None:
    """StartMessageMoveTask, ListMessageMoveTasks and CancelMessageMoveTask on moto's SQS."""
    from moto.core.responses import ActionResult
    from moto.sqs.exceptions import SQSException
    from moto.sqs.responses import SQSResponse

    def start_message_move_task(self: SQSResponse) -> ActionResult:
        backend = self.sqs_backend
        source = _queue_by_arn(backend, self._get_param("SourceArn"), SQSException)
        if not [q for q in backend.queues.values() if q.dead_letter_queue is source]:
            raise SQSException("InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.")
        destination_arn = self._get_param("DestinationArn")
        if destination_arn:
            destination = _queue_by_arn(backend, destination_arn, SQSException)
            if destination.fifo_queue != source.fifo_queue:
                raise SQSException("InvalidParameterValue",
                                   "The source and destination queues must be of the same type (standard or FIFO).")
        rate = self._get_param("MaxNumberOfMessagesPerSecond")
        if rate is not None and not 1 <= int(rate) <= MAX_RATE:
            raise SQSException("InvalidParameterValue",
                               f"MaxNumberOfMessagesPerSecond must be between 1 and {MAX_RATE}.")
        tasks = _tasks(backend)
        with _tasks_lock:
            if any(t.source_arn == source.queue_arn and t.status in ("RUNNING", "CANCELLING") for t in tasks):
                raise SQSException("UnsupportedOperation", "There is already a task running. Only one active task "
                                                           "is allowed for a source queue arn at a given time.")
            handle = base64.b64encode(json.dumps({"taskId": str(uuid.uuid4()), "sourceArn": source.queue_arn})
                                      .encode()).decode()
            task = MoveTask(handle, source.queue_arn, destination_arn, None if rate is None else int(rate),
                            int(time.time() * 1000), to_move=len(source._messages))
            tasks.append(task)
        threading.Thread(target=_run, args=(backend, task), daemon=True, name="message-move-task").start()
        return ActionResult({"TaskHandle": handle})

    def list_message_move_tasks(self: SQSResponse) -> ActionResult:
        source = _queue_by_arn(self.sqs_backend, self._get_param("SourceArn"), SQSException)
        limit = self._get_param("MaxResults")
        limit = 1 if limit is None else int(limit)
        if not 1 <= limit <= LIST_LIMIT:
            raise SQSException("InvalidParameterValue", f"MaxResults must be between 1 and {LIST_LIMIT}.")
        with _tasks_lock:
            mine = [t.entry() for t in reversed(_tasks(self.sqs_backend)) if t.source_arn == source.queue_arn]
        return ActionResult({"Results": mine[:limit]})

    def cancel_message_move_task(self: SQSResponse) -> ActionResult:
        handle = self._get_param("TaskHandle")
        with _tasks_lock:
            task = next((t for t in _tasks(self.sqs_backend) if t.handle == handle), None)
            if task is None or task.status != "RUNNING":
                raise SQSException("ResourceNotFoundException", "The task handle does not match a running task.")
            task.status = "CANCELLING"
            task.cancel.set()
        return ActionResult({"ApproximateNumberOfMessagesMoved": task.moved})

    # moto dispatches an action to the response method of that name: new names on its class
    for method in (start_message_move_task, list_message_move_tasks, cancel_message_move_task):
        setattr(SQSResponse, method.__name__, method)


_tasks_lock = threading.Lock()


def _tasks(backend: SQSBackend) -> list[MoveTask]:
    # kept on the backend (which has no such attribute), so moto's reset of the backend clears it too
    found: list[MoveTask] = vars(backend).setdefault("local_message_move_tasks", [])
    return found


def _queue_by_arn(backend: SQSBackend, arn: str | None, error: type[Exception]) -> Queue:
    for queue in backend.queues.values():
        if queue.queue_arn == arn:
            return queue
    raise error("ResourceNotFoundException", f"The resource {arn} does not exist.")


def _run(backend: SQSBackend, task: MoveTask) -> None:
    """Moves one message at a time at the task's rate, oldest first, until to_move were moved or none is left."""
    source = _queue_by_arn(backend, task.source_arn, RuntimeError)
    interval = 1.0 / (task.rate or DEFAULT_RATE)
    try:
        while task.moved < task.to_move and not task.cancel.is_set():
            with source._messages_lock:
                message = next((m for m in source._messages if m.visible and not m.delayed), None)
                if message is None:
                    break
                source._messages.remove(message)
            # Sent outside the source's lock: a receive on the destination may be moving messages into the
            # source (its DLQ) while holding the destination's lock.
            try:
                _send_copy(backend, _destination_of(backend, task, source, message), message)
            except Exception:
                with source._messages_lock:
                    source._messages.insert(0, message)  # not moved: it stays, oldest first
                raise
            task.moved += 1
            time.sleep(interval)
    except Exception as error:  # a destination that disappeared, a message the destination refuses
        task.status, task.failure = "FAILED", str(error) or type(error).__name__
        return
    task.status = "CANCELLED" if task.cancel.is_set() else "COMPLETED"


def _destination_of(backend: SQSBackend, task: MoveTask, source: Queue, message: Message) -> Queue:
    arn = task.destination_arn or getattr(message, "dead_letter_queue_source_arn", None)
    if arn is None:  # a message sent to the DLQ directly: its only source queue, if there is exactly one
        sources = [q for q in backend.queues.values() if q.dead_letter_queue is source]
        if len(sources) != 1:
            raise RuntimeError(f"message {message.id} has no source queue to return to")
        return sources[0]
    return _queue_by_arn(backend, arn, RuntimeError)


def _send_copy(backend: SQSBackend, destination: Queue, message: Message) -> None:
    backend.send_message(
        destination.name, message.body,
        message_attributes=dict(message.message_attributes) or None,
        deduplication_id=message.id if destination.fifo_queue else None,
        group_id=message.group_id if destination.fifo_queue else None,
        system_attributes=dict(message.system_attributes) or None,
    )  # fmt: skip


PATCHES: tuple[Patch, ...] = (_dead_letter_source_arn, _message_move_tasks)
