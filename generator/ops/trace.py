"""`trace JOB`: every hop one job took, in time order, found by its correlation id (the router assigns the job's
id; every function carries it on as the CorrelationId message attribute, lambdas/common/correlation.py). Message
ids change at every hop and on a redrive: the correlation id is the thread.

--local: from the Lambda service's records (generator/ops/logs.py reads them). Each SQS invocation's START names
         its messages (queue, receive count, SentTimestamp, correlation id), its REPORT the batch item failures,
         so the hops are: sent to a queue → the consumer invoked → handled or failed → (after maxReceiveCount
         receives, from queues.toml) its DLQ → a redrive (the same correlation id under a new message id).
--aws:   CloudWatch Logs lines of every function that hold the id (the functions log it on every line), in time
         order, one hop a line: Lambda does not log what a batch held or failed, the functions' lines say it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from generator.local.state import LogRecord


@dataclass(frozen=True)
class Hop:
    time: str  # ISO 8601 UTC
    kind: str  # sent | redriven | invoked | handled | failed | dead-letter | answered | line
    function: str = ""
    queue: str = ""
    message_id: str = ""
    request_id: str = ""
    detail: str = ""

    def as_json(self) -> dict[str, str]:
        return {name: value for name, value in asdict(self).items() if value}

    def format(self) -> str:
        what = {
            "sent": f"sent to {self.queue}",
            "redriven": f"redriven to {self.queue} (a new message id)",
            "invoked": f"{self.function} invoked",
            "handled": f"{self.function} handled it",
            "failed": f"{self.function} failed it",
            "dead-letter": f"moved to {self.queue}",
            "answered": f"{self.function} answered",
            "line": f"{self.function}",
        }[self.kind]
        ids = ", ".join(part for part in (f"message {self.message_id}" if self.message_id else "",
                                          f"request {self.request_id}" if self.request_id else "") if part)
        return f"{self.time}  {what}" + (f" ({ids})" if ids else "") + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class QueueRules:
    """What the trace needs of a queue (by AWS name): after how many receives a failing message leaves, and where."""

    max_receive_count: int
    dlq: str


def _iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(timespec="milliseconds")


def _key(hop: Hop) -> tuple[dt.datetime, int]:
    order = ("sent", "redriven", "invoked", "line", "failed", "handled", "answered", "dead-letter")
    return dt.datetime.fromisoformat(hop.time), order.index(hop.kind)


def local_hops(job: str, records: Iterable[LogRecord], queues: dict[str, QueueRules]) -> list[Hop]:
    """The job's hops from the Lambda service's records (in any order)."""
    records = list(records)
    starts = {r.request_id: r for r in records if r.stream == "platform" and r.text.startswith("START")}
    reports = {r.request_id: r for r in records if r.stream == "platform" and r.text.startswith("REPORT")}
    # invocations of the job: an SQS batch holding one of its messages, or any invocation whose lines name it
    by_messages = {rid for rid, start in starts.items() if any(m.correlation_id == job for m in start.messages)}
    by_lines = {r.request_id for r in records
                if r.stream == "function" and r.request_id and job in r.text and r.request_id not in by_messages}
    hops: list[Hop] = []
    seen_messages: set[str] = set()
    dead: set[str] = set()  # queues the job's messages left for their DLQ
    for rid in sorted(by_messages, key=lambda rid: starts[rid].time):
        start, report = starts[rid], reports.get(rid)
        for message in (m for m in start.messages if m.correlation_id == job):
            if message.message_id not in seen_messages:
                seen_messages.add(message.message_id)
                kind = "redriven" if message.queue in dead else "sent"
                hops.append(Hop(_iso(message.sent_ms), kind, queue=message.queue, message_id=message.message_id))
            hops.append(Hop(start.time, "invoked", start.function, message.queue, message.message_id, rid,
                            f"receive {message.receive_count}"))
            if report is None:
                continue
            failed = message.message_id in report.failed_message_ids
            hops.append(Hop(report.time, "failed" if failed else "handled", start.function, message.queue,
                            message.message_id, rid, report.outcome if report.outcome != "ok" else ""))
            rules = queues.get(message.queue)
            if failed and rules is not None and message.receive_count >= rules.max_receive_count:
                dead.add(message.queue)
                hops.append(Hop(report.time, "dead-letter", start.function, rules.dlq, message.message_id, rid,
                                f"after {message.receive_count} receives"))
    for rid in by_lines:
        if rid in starts:
            hops.append(Hop(starts[rid].time, "invoked", starts[rid].function, request_id=rid))
        if rid in reports:
            hops.append(Hop(reports[rid].time, "answered", reports[rid].function, request_id=rid,
                            detail=reports[rid].outcome))
    return sorted(hops, key=_key)


def line_hops(job: str, records: Iterable[LogRecord]) -> list[Hop]:
    """--aws: every function line that names the job, as a hop."""
    found = [Hop(r.time, "line", r.function, message_id=",".join(r.message_ids), request_id=r.request_id,
                 detail=r.text) for r in records if job in r.text or job in r.correlation_ids]
    return sorted(found, key=_key)
