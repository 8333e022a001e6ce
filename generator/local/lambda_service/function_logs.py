"""What an execution environment prints, as structured records: each line with its function, the request id of
the invocation it belongs to and, for SQS invocations, the message ids; plus the START / END / REPORT lines Lambda
itself writes. Records go to .local/logs/<function>.log (one JSON document a line, generator.local.state.LogRecord)
and to a sink (the CloudWatch Logs shipper, cloudwatch_logs.py) that must not block.

An environment serves one invocation at a time, so the invocation a line belongs to is the one running when the
line is read; before an invocation ends its environment's output is drained (`Pump.drain`), so a line printed
just before the handler returned is not given to the next invocation.
"""

from __future__ import annotations

import datetime as dt
import os
import select
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from generator.local.state import CORRELATION_ATTRIBUTE, LogRecord, MessageRef

Sink = Callable[[LogRecord], None]
DRAIN_TIMEOUT_S = 0.5


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class InvocationContext:
    request_id: str
    messages: tuple[MessageRef, ...] = ()
    version: str = "$LATEST"  # the function version the environment runs

    @property
    def message_ids(self) -> tuple[str, ...]:
        return tuple(message.message_id for message in self.messages)

    @property
    def correlation_ids(self) -> tuple[str, ...]:
        return tuple(sorted({message.correlation_id for message in self.messages if message.correlation_id}))


def messages_of(event: object) -> tuple[MessageRef, ...]:
    """The SQS messages of an event (none for any other event)."""
    if not isinstance(event, Mapping) or not isinstance(event.get("Records"), list):
        return ()
    found = []
    for record in event["Records"]:
        if not isinstance(record, Mapping) or record.get("eventSource") != "aws:sqs":
            continue
        attributes = record.get("attributes") or {}
        correlation = (record.get("messageAttributes") or {}).get(CORRELATION_ATTRIBUTE) or {}
        found.append(MessageRef(
            message_id=str(record.get("messageId", "")),
            queue=str(record.get("eventSourceARN", "")).rsplit(":", 1)[-1],
            receive_count=int(attributes.get("ApproximateReceiveCount") or 0),
            sent_ms=int(attributes.get("SentTimestamp") or 0),
            correlation_id=str(correlation.get("stringValue") or ""),
        ))
    return tuple(found)


class FunctionLog:
    """One function's log file (shared by its environments) and the sink; writes are whole lines, appended."""

    def __init__(self, function: str, logs_dir: Path, sink: Sink | None):
        logs_dir.mkdir(parents=True, exist_ok=True)
        self.function = function
        self.path = logs_dir / f"{function}.log"
        self._sink = sink
        self._lock = threading.Lock()

    def write(self, record: LogRecord) -> None:
        line = (record.to_json() + "\n").encode()
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        if self._sink is not None:
            self._sink(record)


class Pump:
    """Reads one environment's output (a pipe) line by line into records of the invocation running."""

    def __init__(self, fd: int, log: FunctionLog, log_stream: str):
        self._fd = fd
        self._log = log
        self._log_stream = log_stream
        self._current: InvocationContext | None = None
        self._busy = threading.Lock()  # held while a chunk read is being turned into records
        self._partial = b""
        self._eof = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"logs-{log.function}", daemon=True)
        self._thread.start()

    def begin(self, context: InvocationContext) -> None:
        self._current = context
        self.platform(f"START RequestId: {context.request_id} Version: {context.version}", messages=context.messages)

    def end(self, *, duration_ms: float, outcome: str, failed: tuple[str, ...] = (), memory_mb: int = 0) -> None:
        context = self._current
        if context is None:
            return
        self.drain()
        self.platform(f"END RequestId: {context.request_id}")
        self.platform(f"REPORT RequestId: {context.request_id}\tDuration: {duration_ms:.2f} ms\t"
                      f"Memory Size: {memory_mb} MB\tOutcome: {outcome}", outcome=outcome, failed=failed)
        self._current = None

    def platform(self, text: str, *, messages: tuple[MessageRef, ...] = (), outcome: str = "",
                 failed: tuple[str, ...] = ()) -> None:
        self._log.write(replace(self._record(text, "platform"), messages=messages, outcome=outcome,
                                failed_message_ids=failed))

    def drain(self) -> None:
        """Wait until what the environment printed so far has been read (bounded: a chatty process cannot stall)."""
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while time.monotonic() < deadline and not self._eof.is_set():
            with self._busy:
                try:
                    readable, _, _ = select.select([self._fd], [], [], 0)
                except (OSError, ValueError):  # closed: everything was read
                    return
                if not readable:
                    return
            time.sleep(0.002)

    def join(self, timeout: float) -> None:
        """Wait for the rest of a stopped environment's output (the pipe's end)."""
        self._thread.join(timeout)

    def _record(self, text: str, stream: str) -> LogRecord:
        context = self._current
        return LogRecord(
            time=now_iso(), function=self._log.function, stream=stream, text=text,
            request_id=context.request_id if context else "",
            message_ids=context.message_ids if context else (),
            correlation_ids=context.correlation_ids if context else (),
            log_stream=self._log_stream,
        )

    def _run(self) -> None:
        while True:
            try:
                readable, _, _ = select.select([self._fd], [], [], 0.2)
            except (OSError, ValueError):
                return
            if not readable:
                continue
            with self._busy:
                try:
                    chunk = os.read(self._fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    if self._partial:
                        self._line(self._partial)
                    self._eof.set()
                    return
                lines = (self._partial + chunk).split(b"\n")
                self._partial = lines.pop()
                for line in lines:
                    self._line(line)

    def _line(self, raw: bytes) -> None:
        text = raw.decode("utf-8", "replace").rstrip("\r")
        if text:
            self._log.write(self._record(text, "function"))
