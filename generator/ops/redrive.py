"""`redrive DLQ`: the messages of a dead-letter queue back to their source queue.

Two ways, the first where the endpoint has it:
- SQS's own redrive, StartMessageMoveTask (here): the move runs inside SQS; this polls ListMessageMoveTasks for
  its progress. Interrupting the command leaves the task running; running it again follows the running task.
- receive → send → delete (redrive_copy.py), where the endpoint lacks StartMessageMoveTask (older emulators),
  or with `--method copy`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from generator.ops.sqs_messages import queue_counts

if TYPE_CHECKING:
    from types_boto3_sqs import SQSClient
    from types_boto3_sqs.type_defs import ListMessageMoveTasksResultEntryTypeDef, StartMessageMoveTaskRequestTypeDef

POLL_SECONDS = 1.0
PROGRESS_SECONDS = 2.0
_UNSUPPORTED_CODES = {"InvalidAction", "UnknownOperationException", "UnknownOperation", "NotImplemented",
                      "NotImplementedException"}


@dataclass(frozen=True)
class Queue:
    name: str
    url: str
    arn: str
    fifo: bool


def queue_named(sqs: SQSClient, name: str) -> Queue:
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return Queue(name, url, arn, name.endswith(".fifo"))


@dataclass
class RedriveOutcome:
    method: str  # "move-task" | "copy"
    to_move: int = 0  # messages in the DLQ when the run started
    moved: int = 0
    resumed: int = 0  # sent by an interrupted earlier run; deleted now, not sent again
    failed: dict[str, str] = field(default_factory=dict)  # message id → why it stays in the DLQ
    left: int = 0  # still in the DLQ at the end (in flight, or not reached)
    interrupted: bool = False
    task_status: str = ""  # move-task: how SQS's task ended (COMPLETED, FAILED, CANCELLED)
    note: str = ""
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        ended_well = self.task_status in ("", "COMPLETED")
        return ended_well and not self.failed and not self.left and not self.interrupted

    def as_json(self) -> dict[str, object]:
        return {"method": self.method, "to_move": self.to_move, "moved": self.moved, "resumed": self.resumed,
                "failed": self.failed, "left": self.left, "interrupted": self.interrupted,
                "task_status": self.task_status,
                "seconds": round(self.seconds, 1), "note": self.note}


def _unsupported(error: Exception) -> bool:
    """The endpoint has no StartMessageMoveTask (rather than refusing this call)."""
    if isinstance(error, NotImplementedError | AttributeError):  # in-process moto; a botocore without it
        return True
    if not isinstance(error, ClientError):
        return False
    code = str(error.response.get("Error", {}).get("Code", ""))
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    # An endpoint that does not know the operation at all answers without an SQS error code (moto: a bare HTML
    # 500 page); SQS's own transient failures carry one (InternalError, ServiceUnavailable).
    return code in _UNSUPPORTED_CODES or status == 501 or (status == 500 and (code.isdigit() or not code))


# ── SQS's own redrive ────────────────────────────────────────────────────────────────────────────────────────


def with_move_task(sqs: SQSClient, dlq: Queue, destination: Queue | None, progress: Callable[[str], None], *,
                   rate: int | None, probe: SQSClient | None = None) -> RedriveOutcome | None:
    """None when the endpoint has no StartMessageMoveTask. destination None: each message to its own source.
    probe: a client for the first call that does not retry (an endpoint without the operation answers 500)."""
    started = time.monotonic()
    try:
        latest = (probe or sqs).list_message_move_tasks(SourceArn=dlq.arn, MaxResults=1)["Results"]
    except (ClientError, NotImplementedError, AttributeError) as error:
        if _unsupported(error):
            return None
        raise
    outcome = RedriveOutcome("move-task")
    task: ListMessageMoveTasksResultEntryTypeDef = latest[0] if latest else {}
    running = False  # a task of ours (started, or found running) is under way in SQS
    try:
        if task.get("Status") in ("RUNNING", "CANCELLING"):
            running = True
            started_at = time.strftime("%H:%M:%S", time.localtime(task["StartedTimestamp"] / 1000))
            progress(f"a redrive task of {dlq.name} is already running (started {started_at}): following it")
        else:
            visible, in_flight = queue_counts(sqs, dlq.url)
            if not visible + in_flight:
                outcome.note = f"{dlq.name} is empty: nothing to redrive"
                return outcome
            request: StartMessageMoveTaskRequestTypeDef = {"SourceArn": dlq.arn}
            if destination is not None:
                request["DestinationArn"] = destination.arn
            if rate is not None:
                request["MaxNumberOfMessagesPerSecond"] = rate
            task = {"TaskHandle": sqs.start_message_move_task(**request)["TaskHandle"]}
            running = True
            progress(f"StartMessageMoveTask: {visible + in_flight} messages from {dlq.name} to "
                     f"{destination.name if destination else 'their source queues'}")
        task = _follow(sqs, dlq, task, outcome, progress)
    except KeyboardInterrupt:
        outcome.interrupted = True
        handle = task.get("TaskHandle", "<TaskHandle from `aws sqs list-message-move-tasks`>")
        outcome.note = ("the task keeps running inside SQS: run `redrive` again to follow it, or stop it with "
                        f"`aws sqs cancel-message-move-task --task-handle {handle}`") if running else \
            "interrupted before a task was started: nothing was moved"
        outcome.seconds = time.monotonic() - started
        return outcome
    outcome.task_status = task["Status"]
    if task["Status"] == "FAILED":
        outcome.note = f"the task failed: {task.get('FailureReason', 'no reason given')}"
    elif task["Status"] == "CANCELLED":
        outcome.note = "the task was cancelled"
    outcome.left = sum(queue_counts(sqs, dlq.url))
    outcome.seconds = time.monotonic() - started
    return outcome


def _follow(sqs: SQSClient, dlq: Queue, task: ListMessageMoveTasksResultEntryTypeDef, outcome: RedriveOutcome,
            progress: Callable[[str], None]) -> ListMessageMoveTasksResultEntryTypeDef:
    """Poll the DLQ's latest task (one active task per queue: the one just started, or the one found) until it
    ends; its counts go into the outcome."""
    last_report = 0.0
    while True:
        latest = sqs.list_message_move_tasks(SourceArn=dlq.arn, MaxResults=1)["Results"][0]
        task = {**task, **latest}  # the handle is listed only while the task runs
        outcome.to_move = int(latest.get("ApproximateNumberOfMessagesToMove") or 0)
        outcome.moved = int(latest.get("ApproximateNumberOfMessagesMoved") or 0)
        if latest["Status"] not in ("RUNNING", "CANCELLING"):
            return task
        if time.monotonic() - last_report >= PROGRESS_SECONDS:
            progress(f"moved {outcome.moved} of {outcome.to_move}")
            last_report = time.monotonic()
        time.sleep(POLL_SECONDS)
