"""One event source mapping, run as the Lambda service runs it: poll the queue, gather a batch, invoke the
function, delete what succeeded, leave the rest to the queue (visibility timeout, then redrive to the DLQ).

- Up to 10 messages per ReceiveMessage; batches of up to BatchSize, gathered for at most
  MaximumBatchingWindowInSeconds (or the 6 MB invocation payload limit).
- At most ScalingConfig.MaximumConcurrency invocations at once (DEFAULT_CONCURRENCY when unset).
- FilterCriteria: records that match no pattern are deleted unprocessed.
- ReportBatchItemFailures: only the listed records stay; a malformed answer, an error or a timeout fails the
  whole batch (nothing deleted). Without it, any successful return deletes the whole batch.
- `retry_delay` is the one local-only knob: when set, failed records are made visible again after that many
  seconds (ChangeMessageVisibility) instead of the queue's visibility timeout. Lambda has no such setting, so
  that call is the Lambda service's own (`local_sqs_factory`), not the function role's: the role needs, as on
  AWS, only ReceiveMessage, DeleteMessage and GetQueueAttributes.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.local.lambda_service.batch_response import InvalidBatchResponse, failed_message_ids
from generator.local.lambda_service.environments import InvocationOutcome
from generator.local.lambda_service.events import RECEIVE_EVERYTHING, SqsEvent, SqsRecord, sqs_event, sqs_record
from generator.local.lambda_service.filters import Filters

if TYPE_CHECKING:
    from types_boto3_lambda.type_defs import EventSourceMappingConfigurationTypeDef
    from types_boto3_sqs import SQSClient

# A mapping in one of these states is settling (as on AWS, for a moment): the runner leaves it as it is running
# and looks again at its next refresh. Lambda starts polling a new mapping once it is Enabled.
SETTLING_STATES = frozenset({"Creating", "Enabling", "Updating", "Disabling"})
DEFAULT_CONCURRENCY = 5  # Lambda starts with five pollers; locally a mapping without a cap runs at most this
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024  # synchronous invocation payload limit
IDLE_WAIT_SECONDS = 1  # long-poll wait while idle (short, so the runner stops and reconfigures promptly)


@dataclass(frozen=True)
class MappingConfig:
    uuid: str
    function_name: str
    qualifier: str | None  # the alias or version the mapping invokes (None: $LATEST)
    queue_arn: str
    queue_url: str
    batch_size: int
    batching_window: int
    maximum_concurrency: int | None
    enabled: bool
    filter_patterns: tuple[str, ...]
    report_batch_item_failures: bool

    @classmethod
    def from_emulator(cls, mapping: EventSourceMappingConfigurationTypeDef, queue_url: str) -> MappingConfig:
        return cls(
            uuid=mapping["UUID"],
            function_name=mapping["FunctionArn"].split(":")[6],
            qualifier=next(iter(mapping["FunctionArn"].split(":")[7:]), None),
            queue_arn=mapping["EventSourceArn"],
            queue_url=queue_url,
            batch_size=int(mapping.get("BatchSize") or 10),
            batching_window=int(mapping.get("MaximumBatchingWindowInSeconds") or 0),
            maximum_concurrency=(mapping.get("ScalingConfig") or {}).get("MaximumConcurrency"),
            enabled=mapping.get("State", "Enabled") == "Enabled",
            filter_patterns=tuple(f["Pattern"] for f in (mapping.get("FilterCriteria") or {}).get("Filters") or []),
            report_batch_item_failures="ReportBatchItemFailures" in (mapping.get("FunctionResponseTypes") or []),
        )

    @property
    def concurrency(self) -> int:
        return self.maximum_concurrency or DEFAULT_CONCURRENCY


@dataclass(frozen=True)
class BatchResult:
    mapping: str
    function: str
    records: int
    deleted: int
    failed: int
    outcome: str  # ok | error | timeout | crash | invalid-response
    duration_ms: float
    detail: str = ""


Invoke = Callable[[SqsEvent], InvocationOutcome]
Report = Callable[[BatchResult], None]


class MappingPoller:
    def __init__(self, mapping: MappingConfig, invoke: Invoke, sqs_factory: Callable[[], SQSClient],
                 report: Report, retry_delay: int | None = None,
                 local_sqs_factory: Callable[[], SQSClient] | None = None, hold_visibility: int | None = None):
        self.mapping = mapping
        self._invoke = invoke
        self._sqs_factory = sqs_factory
        self._local_sqs_factory = local_sqs_factory or sqs_factory
        self._report = report
        self._retry_delay = retry_delay
        self._hold_visibility = hold_visibility  # local only (`up --debug`): keep a received batch hidden this long
        self._filters = Filters(mapping.filter_patterns)
        self._stopped = threading.Event()
        self._slots = threading.Semaphore(mapping.concurrency)
        self._executor = ThreadPoolExecutor(mapping.concurrency, thread_name_prefix=f"esm-{mapping.function_name}")
        self._thread = threading.Thread(target=self._poll, name=f"poll-{mapping.uuid[:8]}", daemon=True)
        self.filtered = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, wait: bool = True) -> None:
        """Stop receiving; batches already handed to the function finish (as when a mapping is disabled)."""
        self._stopped.set()
        if wait:
            self._thread.join(timeout=IDLE_WAIT_SECONDS + 15)
        self._executor.shutdown(wait=wait)

    def _poll(self) -> None:
        sqs = self._sqs_factory()
        while not self._stopped.is_set():
            if not self._slots.acquire(timeout=0.5):
                continue
            try:
                records = self._gather(sqs)
            except Exception as error:  # the emulator may restart under us: back off, keep polling
                self._slots.release()
                self._report(BatchResult(self.mapping.uuid, self.mapping.function_name, 0, 0, 0, "poll-error", 0,
                                         f"{type(error).__name__}: {error}"))
                self._stopped.wait(1)
                continue
            if not records:
                self._slots.release()
                continue
            if self._hold_visibility is not None:
                self._hold(sqs, records, self._hold_visibility)
            self._executor.submit(self._run_batch, records)

    def _gather(self, sqs: SQSClient) -> list[SqsRecord]:
        mapping = self.mapping
        records: list[SqsRecord] = []
        size = 0
        first_at: float | None = None
        while not self._stopped.is_set():
            wanted = min(10, mapping.batch_size - len(records))
            if records and mapping.batching_window:
                left = mapping.batching_window - (time.monotonic() - (first_at or time.monotonic()))
                wait = max(0, min(IDLE_WAIT_SECONDS, int(left)))
            else:
                wait = IDLE_WAIT_SECONDS if not records else 0
            response = sqs.receive_message(
                QueueUrl=mapping.queue_url, MaxNumberOfMessages=wanted, WaitTimeSeconds=wait, **RECEIVE_EVERYTHING
            )
            for message in response.get("Messages", []):
                record = sqs_record(message, mapping.queue_arn)
                if not self._filters.matches(record):
                    sqs.delete_message(QueueUrl=mapping.queue_url, ReceiptHandle=record["receiptHandle"])
                    self.filtered += 1
                    continue
                records.append(record)
                size += len(json.dumps(record))
                if first_at is None:
                    first_at = time.monotonic()
            if len(records) >= mapping.batch_size or size >= MAX_PAYLOAD_BYTES:
                break
            # a batch has begun (first_at is set with its first record) and its window, if any, is over
            if first_at is not None and (not mapping.batching_window
                                         or time.monotonic() - first_at >= mapping.batching_window):
                break
            if not records and not response.get("Messages") and wait == 0:
                break
        return records

    def _hold(self, sqs: SQSClient, records: list[SqsRecord], seconds: int) -> None:
        for start in range(0, len(records), 10):
            sqs.change_message_visibility_batch(QueueUrl=self.mapping.queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": record["receiptHandle"], "VisibilityTimeout": seconds}
                for i, record in enumerate(records[start:start + 10])
            ])

    def _run_batch(self, records: list[SqsRecord]) -> None:
        try:
            self._report(self.process(records, self._sqs_factory()))
        finally:
            self._slots.release()

    def process(self, records: list[SqsRecord], sqs: SQSClient) -> BatchResult:
        """Invoke the function with the records and settle each record with the queue."""
        mapping = self.mapping
        outcome = self._invoke(sqs_event(records))
        ids = [record["messageId"] for record in records]
        detail = ""
        status = outcome.status
        if outcome.failed:
            failed = set(ids)
            detail = f"{(outcome.error or {}).get('errorType', '')}: {(outcome.error or {}).get('errorMessage', '')}"
        elif mapping.report_batch_item_failures:
            try:
                failed = failed_message_ids(outcome.payload, set(ids))
            except InvalidBatchResponse as error:
                failed, status, detail = set(ids), "invalid-response", str(error)
        else:
            failed = set()
        succeeded = [record for record in records if record["messageId"] not in failed]
        not_deleted = 0
        for start in range(0, len(succeeded), 10):
            chunk = succeeded[start:start + 10]
            response = sqs.delete_message_batch(QueueUrl=mapping.queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": record["receiptHandle"]} for i, record in enumerate(chunk)
            ])
            not_deleted += len(response.get("Failed") or [])
        if not_deleted:  # Lambda retries its deletes; a record it cannot delete is delivered again
            detail = f"{not_deleted} record(s) could not be deleted and will be delivered again"
        if self._retry_delay is not None and failed:
            retry = [record for record in records if record["messageId"] in failed]
            local_sqs = self._local_sqs_factory()
            for start in range(0, len(retry), 10):
                chunk = retry[start:start + 10]
                local_sqs.change_message_visibility_batch(QueueUrl=mapping.queue_url, Entries=[
                    {"Id": str(i), "ReceiptHandle": record["receiptHandle"], "VisibilityTimeout": self._retry_delay}
                    for i, record in enumerate(chunk)
                ])
        return BatchResult(mapping.uuid, mapping.function_name, len(records), len(succeeded) - not_deleted,
                           len(failed), status, outcome.duration_ms, detail)
