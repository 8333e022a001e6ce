"""`logs`: the functions' log lines, each with its function, request id and (SQS invocations) message ids.

--local: the records the Lambda service writes (.local/logs/<function>.log, generator.local.state.LogRecord) and
         its own lines (.local/runner.log), merged in time order.
--aws:   CloudWatch Logs, group /aws/lambda/<function> (FilterLogEvents; `--follow` polls). Request ids come from
         Lambda's START / END / REPORT lines and the functions' JSON lines (Powertools' function_request_id,
         Lambda's JSON format's requestId); message and correlation ids from the JSON lines' message_id and
         correlation_id (lambdas/common/batch.py adds them to every line logged for a record).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.command import UsageError
from generator.local.state import LogRecord

if TYPE_CHECKING:
    from types_boto3_logs import CloudWatchLogsClient
    from types_boto3_logs.type_defs import FilteredLogEventTypeDef

RUNNER = "runner"
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PLATFORM = re.compile(r"^(START|END|REPORT) RequestId: ([0-9a-fA-F-]{36})")
_TEXT_FORMAT = re.compile(r"^\[[A-Z]+\]\t[^\t]+\t([0-9a-fA-F-]{36})\t")  # Lambda's text format: [LEVEL]\ttime\tid\t…
FOLLOW_POLL_SECONDS = 0.5
AWS_POLL_SECONDS = 2.0


def parse_since(text: str, now: dt.datetime) -> dt.datetime:
    """`10m`, `2h`, `30s`, `1d` before now, or an ISO 8601 time (UTC when it names no zone)."""
    match = _DURATION.match(text.strip())
    if match:
        return now - dt.timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--since {text!r}: use a duration (30s, 10m, 2h, 1d) or an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def when(record: LogRecord) -> dt.datetime:
    moment = dt.datetime.fromisoformat(record.time)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Selection:
    functions: frozenset[str] = frozenset()  # AWS names; empty: every function (and the runner's own lines)
    since: dt.datetime | None = None
    text: str = ""

    def wants(self, record: LogRecord) -> bool:
        if self.functions and record.function not in self.functions:
            return False
        if self.since is not None and when(record) < self.since:
            return False
        return not self.text or self.text in record.text or self.text == record.request_id \
            or self.text in record.message_ids or self.text in record.correlation_ids


# ── local: the Lambda service's files ──────────────────────────────────────────────────────────────────────


def runner_record(document: dict[str, Any]) -> LogRecord:
    """A line of runner.log (the service's own events) as a record of the runner's stream."""
    rest = {key: value for key, value in document.items() if key not in ("time", "event", "function")}
    text = " ".join([str(document.get("event") or "line"), *(f"{key}={value}" for key, value in sorted(rest.items()))])
    return LogRecord(time=str(document["time"]), function=str(document.get("function") or RUNNER), stream="runner",
                     text=text)


def parse_line(line: str, *, runner: bool, last_time: str) -> LogRecord | None:
    """A record from one line of a function's log (JSON) or of runner.log (JSON events; anything else the
    process printed, such as a traceback, is kept as text at the time of the line before it)."""
    line = line.rstrip("\n")
    if not line.strip():
        return None
    try:
        document = json.loads(line)
    except ValueError:
        document = None
    if not isinstance(document, dict) or "time" not in document:
        return LogRecord(time=last_time, function=RUNNER, stream="runner", text=line) if runner and last_time else None
    if runner:
        return runner_record(document)
    try:
        return LogRecord.from_json(document)
    except (KeyError, TypeError):
        return None


@dataclass
class LocalFiles:
    """Every function's log file and runner.log, read from where the last read stopped (for --follow)."""

    state_dir: Path
    offsets: dict[Path, int] = field(default_factory=dict)
    last_time: dict[Path, str] = field(default_factory=dict)

    def paths(self) -> list[Path]:
        return [*sorted((self.state_dir / "logs").glob("*.log")), self.state_dir / "runner.log"]

    def read_new(self) -> list[LogRecord]:
        found = []
        for path in self.paths():
            try:
                with open(path, "rb") as handle:
                    handle.seek(self.offsets.get(path, 0))
                    data = handle.read()
            except FileNotFoundError:
                continue
            complete = data[:data.rfind(b"\n") + 1]  # a line being written stays for the next read
            self.offsets[path] = self.offsets.get(path, 0) + len(complete)
            runner = path.name == "runner.log"
            for line in complete.decode("utf-8", "replace").splitlines():
                record = parse_line(line, runner=runner, last_time=self.last_time.get(path, ""))
                if record is not None:
                    self.last_time[path] = record.time
                    found.append(record)
        return sorted(found, key=when)


# ── AWS: CloudWatch Logs ───────────────────────────────────────────────────────────────────────────────────


def cloudwatch_record(function: str, event: FilteredLogEventTypeDef, stream_requests: dict[str, str]) -> LogRecord:
    """A CloudWatch Logs event of a function's group as a record; `stream_requests` (stream → the request id of
    its last START) gives plain lines their invocation."""
    message = event.get("message", "").rstrip("\n")
    stream = event.get("logStreamName", "")
    moment = dt.datetime.fromtimestamp(event.get("timestamp", 0) / 1000, dt.UTC).isoformat(timespec="milliseconds")
    request_id = ""
    message_ids: tuple[str, ...] = ()
    correlation_ids: tuple[str, ...] = ()
    platform = _PLATFORM.match(message)
    if platform:
        request_id = platform.group(2)
        if platform.group(1) == "START":
            stream_requests[stream] = request_id
    else:
        try:
            document = json.loads(message)
        except ValueError:
            document = None
        if isinstance(document, dict):
            request_id = str(document.get("function_request_id") or document.get("requestId") or "")
            message_ids = tuple(str(document[key]) for key in ("message_id",) if document.get(key))
            correlation_ids = tuple(str(document[key]) for key in ("correlation_id",) if document.get(key))
        else:
            text_format = _TEXT_FORMAT.match(message)
            request_id = text_format.group(1) if text_format else ""
        request_id = request_id or stream_requests.get(stream, "")
    return LogRecord(time=moment, function=function, stream="platform" if platform else "function", text=message,
                     request_id=request_id, message_ids=message_ids, correlation_ids=correlation_ids,
                     log_stream=stream)


@dataclass
class CloudWatchLogs:
    client: CloudWatchLogsClient
    groups: dict[str, str]  # function → its log group
    seen: set[str] = field(default_factory=set)
    stream_requests: dict[str, str] = field(default_factory=dict)

    def read(self, since: dt.datetime | None, text: str) -> list[LogRecord]:
        found = []
        for function, group in sorted(self.groups.items()):
            request: dict[str, Any] = {"logGroupName": group}
            if since is not None:
                request["startTime"] = int(since.timestamp() * 1000)
            if text:
                request["filterPattern"] = json.dumps(text)  # a quoted term: matched as it is written
            try:
                pages = list(self.client.get_paginator("filter_log_events").paginate(**request))
            except self.client.exceptions.ResourceNotFoundException:
                continue  # the function never ran (Lambda creates nothing) or the group is not deployed
            for page in pages:
                for event in page.get("events", []):
                    if event.get("eventId", "") in self.seen:
                        continue
                    self.seen.add(event.get("eventId", ""))
                    found.append(cloudwatch_record(function, event, self.stream_requests))
        return sorted(found, key=when)


# ── output ─────────────────────────────────────────────────────────────────────────────────────────────────


def format_record(record: LogRecord) -> str:
    ids = [record.request_id] if record.request_id else []
    if record.message_ids:
        ids.append("messages " + ",".join(record.message_ids))
    where = f" [{'; '.join(ids)}]" if ids else ""
    source = f"{record.function} (runner)" if record.stream == "runner" and record.function != RUNNER \
        else record.function
    return f"{record.time} {source}{where} {record.text}"


def emit(records: Iterable[LogRecord], selection: Selection, as_json: bool, write: Callable[[str], None]) -> int:
    shown = 0
    for record in records:
        if selection.wants(record):
            write(record.to_json() if as_json else format_record(record))
            shown += 1
    return shown


def follow(read: Callable[[], list[LogRecord]], poll_seconds: float) -> Iterator[list[LogRecord]]:
    """What arrives, read by read(), until interrupted (Ctrl-C: KeyboardInterrupt, exit 130)."""
    while True:
        time.sleep(poll_seconds)
        yield read()
