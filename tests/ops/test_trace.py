"""`trace`: a job's hops from the Lambda service's records, in time order, through a DLQ and a redrive."""

from __future__ import annotations

from generator.local.state import LogRecord, MessageRef
from generator.ops.trace import Hop, QueueRules, line_hops, local_hops

JOB = "job-1"
RULES = {"video-processing-queue": QueueRules(2, "video-processing-dlq"),
         "email-queue": QueueRules(3, "email-dlq")}


def at(second: int) -> str:
    return f"2026-05-01T12:00:{second:02d}.000+00:00"


def ms(second: int) -> int:
    return 1_777_636_800_000 + second * 1000


def invocation(function: str, rid: str, start: int, end: int, messages: tuple[MessageRef, ...],
               failed: tuple[str, ...] = (), outcome: str = "ok") -> list[LogRecord]:
    ids = tuple(m.message_id for m in messages)
    return [
        LogRecord(at(start), function, "platform", f"START RequestId: {rid} Version: $LATEST", rid, ids,
                  messages=messages),
        LogRecord(at(start), function, "function", "working", rid, ids),
        LogRecord(at(end), function, "platform", f"REPORT RequestId: {rid}\tDuration: 1.00 ms", rid, ids,
                  outcome=outcome, failed_message_ids=failed),
    ]


def test_the_hops_of_a_job_that_failed_into_the_dlq_and_was_redriven():
    first, again = MessageRef("m1", "video-processing-queue", 1, ms(1), JOB), \
        MessageRef("m1", "video-processing-queue", 2, ms(1), JOB)
    redriven = MessageRef("m2", "video-processing-queue", 1, ms(20), JOB)
    neighbour = MessageRef("n1", "video-processing-queue", 1, ms(1), "job-2")
    email = MessageRef("m3", "email-queue", 1, ms(23), JOB)
    router = [LogRecord(at(0), "router", "platform", "START RequestId: r0", "r0"),
              LogRecord(at(0), "router", "function", f'{{"message": "job queued", "job_id": "{JOB}"}}', "r0"),
              LogRecord(at(0), "router", "platform", "REPORT RequestId: r0", "r0", outcome="ok")]
    records = [*router,
               *invocation("downloader", "r1", 2, 3, (first, neighbour), failed=("m1",)),
               *invocation("downloader", "r2", 8, 9, (again,), failed=("m1",)),
               *invocation("downloader", "r3", 21, 22, (redriven,)),
               *invocation("email", "r4", 24, 25, (email,)),
               *invocation("downloader", "r5", 30, 31, (neighbour,))]  # another job: not in this trace
    hops = local_hops(JOB, reversed(records), RULES)  # the order records are read in does not matter
    assert [(hop.kind, hop.function or hop.queue, hop.message_id, hop.request_id) for hop in hops] == [
        ("invoked", "router", "", "r0"),
        ("answered", "router", "", "r0"),
        ("sent", "video-processing-queue", "m1", ""),
        ("invoked", "downloader", "m1", "r1"),
        ("failed", "downloader", "m1", "r1"),
        ("invoked", "downloader", "m1", "r2"),
        ("failed", "downloader", "m1", "r2"),
        ("dead-letter", "downloader", "m1", "r2"),
        ("redriven", "video-processing-queue", "m2", ""),
        ("invoked", "downloader", "m2", "r3"),
        ("handled", "downloader", "m2", "r3"),
        ("sent", "email-queue", "m3", ""),
        ("invoked", "email", "m3", "r4"),
        ("handled", "email", "m3", "r4"),
    ]
    dead = next(hop for hop in hops if hop.kind == "dead-letter")
    assert dead.queue == "video-processing-dlq" and dead.detail == "after 2 receives"
    assert dead.format() == (f"{at(9)}  moved to video-processing-dlq (message m1, request r2): after 2 receives")


def test_aws_lines_in_time_order():
    records = [LogRecord(at(5), "email", "function", "sent", "r2", correlation_ids=(JOB,)),
               LogRecord(at(1), "router", "function", f"queued {JOB}", "r1"),
               LogRecord(at(3), "email", "function", "unrelated", "r3")]
    assert [hop.function for hop in line_hops(JOB, records)] == ["router", "email"]
    assert line_hops(JOB, records)[0] == Hop(at(1), "line", "router", request_id="r1", detail=f"queued {JOB}")
