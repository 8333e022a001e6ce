"""The functions' log lines shipped to the emulator's CloudWatch Logs, as Lambda ships them: group
/aws/lambda/<function> (the function's LoggingConfig.LogGroup), one stream per execution environment
(`2024/01/31/[$LATEST]<id>`), the function's lines and Lambda's START / END / REPORT lines.

Off the invocation's critical path: `put` only appends to a buffer; a thread sends batches every FLUSH_SECONDS
(PutLogEvents limits: 10,000 events and 1,048,576 bytes, each event counted as its UTF-8 size + 26 bytes, in
timestamp order). A failure is reported once per kind and the batch dropped: the local files stay the record.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.local.state import LogRecord

if TYPE_CHECKING:
    from types_boto3_logs import CloudWatchLogsClient
    from types_boto3_logs.type_defs import InputLogEventTypeDef

FLUSH_SECONDS = 1.0
MAX_EVENTS = 10_000
MAX_BYTES = 1_048_576
EVENT_OVERHEAD = 26


@dataclass(frozen=True)
class _Event:
    group: str
    stream: str
    timestamp_ms: int
    message: str


def timestamp_ms(iso: str) -> int:
    return int(dt.datetime.fromisoformat(iso).timestamp() * 1000)


def batches(events: list[InputLogEventTypeDef]) -> list[list[InputLogEventTypeDef]]:
    """Events in timestamp order, cut where PutLogEvents' count or size limit would be passed."""
    found: list[list[InputLogEventTypeDef]] = []
    current: list[InputLogEventTypeDef] = []
    size = 0
    for event in sorted(events, key=lambda event: event["timestamp"]):
        weight = len(event["message"].encode()) + EVENT_OVERHEAD
        if current and (len(current) >= MAX_EVENTS or size + weight > MAX_BYTES):
            found.append(current)
            current, size = [], 0
        current.append(event)
        size += weight
    if current:
        found.append(current)
    return found


class LogShipper:
    def __init__(self, client: Callable[[], CloudWatchLogsClient], report: Callable[[Mapping[str, object]], None]):
        self._client = client
        self._report = report
        self._buffer: list[_Event] = []
        self._lock = threading.Lock()
        self._streams: set[tuple[str, str]] = set()
        self._reported: set[str] = set()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cloudwatch-logs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def sink(self, group: str) -> Callable[[LogRecord], None]:
        """What a function's environments hand their records to (records of other functions never mix in)."""
        def put(record: LogRecord) -> None:
            if not record.log_stream:
                return
            event = _Event(group, record.log_stream, timestamp_ms(record.time), record.text)
            with self._lock:
                self._buffer.append(event)
        return put

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=FLUSH_SECONDS * 3)

    def _run(self) -> None:
        client = self._client()
        while not self._stopped.wait(FLUSH_SECONDS):
            self.flush(client)
        self.flush(client)

    def flush(self, client: CloudWatchLogsClient) -> None:
        with self._lock:
            pending, self._buffer = self._buffer, []
        by_stream: dict[tuple[str, str], list[InputLogEventTypeDef]] = {}
        for event in pending:
            by_stream.setdefault((event.group, event.stream), []).append(
                {"timestamp": event.timestamp_ms, "message": event.message})
        for (group, stream), events in by_stream.items():
            try:
                self._ensure_stream(client, group, stream)
                for batch in batches(events):
                    client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
            except Exception as error:  # best effort: the local files keep every line
                kind = type(error).__name__
                if kind not in self._reported:
                    self._reported.add(kind)
                    self._report({"event": "cloudwatch-logs-error", "group": group, "error": f"{kind}: {error}"})

    def _ensure_stream(self, client: CloudWatchLogsClient, group: str, stream: str) -> None:
        if (group, stream) in self._streams:
            return
        with contextlib.suppress(client.exceptions.ResourceAlreadyExistsException):  # Terraform made it
            client.create_log_group(logGroupName=group)
        with contextlib.suppress(client.exceptions.ResourceAlreadyExistsException):
            client.create_log_stream(logGroupName=group, logStreamName=stream)
        self._streams.add((group, stream))
