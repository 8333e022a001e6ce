"""The local stack's figures, on a copy of this project (the repository's own stack is never touched):

- `up` to the first job's email: from nothing (cold) and with the stack already up (warm);
- hot reload: a saved handler to the `reloaded` line, and `generate --full` as a whole process (median of 3);
- 2,000 analytics events drained from the queue by the runner (the analytics function from its zip), beside
  the emulator's raw receive+delete rate on an identical queue in the same run, and the runner's own overhead
  (the same mapping with a function that does nothing).

Prints figures; asserts nothing.   Usage: python bench/up.py [--events N]
Goals (issue 21): a save to the new code running ≤ 2 s; `generate --full` ≤ 0.4 s; cold ≤ 60 s with installs
(this script starts after them); warm ≤ 8 s; runner overhead ≤ 20 % over the raw rate.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.local.lambda_service import interpreter  # noqa: E402
from generator.local.lambda_service.environments import FunctionConfig, Pool, Runtime  # noqa: E402
from generator.local.lambda_service.poller import MappingConfig, MappingPoller  # noqa: E402
from generator.local.state import EmulatorRecord, LocalState, local_session  # noqa: E402
from tests.local.project_copy import cli, copy_project  # noqa: E402

KINDS = ("job_queued", "video_downloaded", "thumbnails_created", "email_sent")
_STAMP = re.compile(r"^\[\s*([\d.]+) s\] (.*)$")


def up_until_email(project: Path) -> tuple[float, float]:
    """(seconds to the demo job's email, seconds for the whole `up`)."""
    started = time.monotonic()
    result = cli(project, "up", "--retry-delay", "2")
    total = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"up failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    for line in result.stdout.splitlines():
        match = _STAMP.match(line)
        if match and "email recorded" in match.group(2):
            return float(match.group(1)), total
    raise SystemExit("up printed no 'email recorded' line")


def clients(project: Path):
    record = EmulatorRecord.read(LocalState(project))
    assert record is not None, "the stack's emulator is not running"
    return local_session("us-east-1").client("sqs", endpoint_url=record.endpoint), record.endpoint


def preload(sqs, url: str, events: int) -> None:
    now = int(time.time())
    for start in range(0, events, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": json.dumps({
            "type": "analytics_event", "version": 1, "event_id": f"bench-{time.time_ns()}-{start + i}",
            "kind": KINDS[(start + i) % 4], "subject": f"user#{(start + i) % 7}", "source": "bench",
            "occurred_at": now, "job_id": None})} for i in range(min(10, events - start))])


def depth(sqs, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def wait_drained(sqs, url: str, started: float, timeout: float = 600) -> float:
    while depth(sqs, url):
        if time.monotonic() - started > timeout:
            raise SystemExit(f"{url} not drained after {timeout:.0f} s")
        time.sleep(0.2)
    return time.monotonic() - started


def raw_rate(sqs, events: int) -> float:
    url = sqs.create_queue(QueueName=f"bench-raw-{time.time_ns()}", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    preload(sqs, url, events)
    started, done = time.monotonic(), 0
    while done < events:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"],
                                       MessageAttributeNames=["All"]).get("Messages", [])
        if messages:
            sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
            done += len(messages)
    return events / (time.monotonic() - started)


def noop_runner_rate(project: Path, sqs, endpoint: str, events: int) -> float:
    """The analytics mapping's settings (batch 100, window 5 s, concurrency 2) around a do-nothing function run
    from a real process on the runtime's Python: what the runner itself costs."""
    url = sqs.create_queue(QueueName=f"bench-noop-{time.time_ns()}", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    task = Path(tempfile.mkdtemp(prefix="bench-noop-"))
    (task / "handler.py").write_text("def lambda_handler(event, context):\n    return {'batchItemFailures': []}\n")
    python = interpreter.runtime_virtualenv(ROOT, interpreter.find_interpreter("python3.12"), log=lambda message: None)
    function = FunctionConfig(
        name="noop", arn="arn:aws:lambda:us-east-1:123456789012:function:noop", role="", region="us-east-1",
        runtime="python3.12", handler="handler.lambda_handler", timeout=30, memory_size=128, environment={},
        log_group="/aws/lambda/noop", log_format="Text", application_log_level=None, code_sha256="x",
        reserved_concurrency=None)
    pool = Pool(function, task, Runtime(python, {}, task / "logs", task / "tmp"), {})
    mapping = MappingConfig(uuid="bench", function_name="noop", qualifier=None, queue_arn=arn, queue_url=url,
                            batch_size=100, batching_window=5, maximum_concurrency=2, enabled=True,
                            filter_patterns=(), report_batch_item_failures=True)
    import boto3

    session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1")
    lock = threading.Lock()

    def sqs_factory():
        with lock:
            return session.client("sqs", endpoint_url=endpoint)

    preload(sqs, url, events)
    poller = MappingPoller(mapping, pool.invoke, sqs_factory, report=lambda result: None)
    started = time.monotonic()
    poller.start()
    try:
        elapsed = wait_drained(sqs, url, started)
    finally:
        poller.stop()
        pool.close()
    return events / elapsed


def generate_full_seconds(project: Path, runs: int = 3) -> float:
    """Median wall time of `python -m generator generate --full` (the whole process, nothing changed)."""
    import statistics
    import subprocess

    times = []
    for _ in range(runs):
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "generator", "generate", "--full"], cwd=project, check=True,
                       capture_output=True, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
        times.append(time.monotonic() - started)
    return statistics.median(times)


def reload_seconds(project: Path, runs: int = 3) -> tuple[float, list[float]]:
    """Median seconds from saving the email handler to the reloader's `reloaded` line (the Lambda service runs the
    new version by then), over `runs` saves; the code is put back afterwards."""
    import statistics

    handler = project / "lambdas" / "email" / "handler.py"
    log = project / ".local" / "reloader.log"
    original = handler.read_text()
    times = []
    try:
        for run in range(runs + 1):  # the last one puts the code back
            before = len(log.read_text().splitlines()) if log.exists() else 0
            started = time.monotonic()
            handler.write_text(original + (f"\n# bench edit {run}\n" if run < runs else ""))
            while True:
                lines = log.read_text().splitlines()[before:] if log.exists() else []
                events = [json.loads(line)["event"] for line in lines]
                if "reloaded" in events or "reload-failed" in events:
                    break
                if time.monotonic() - started > 120:
                    raise SystemExit("no reload within 120 s")
                time.sleep(0.02)
            if "reload-failed" in events:
                raise SystemExit(f"reload failed: {lines}")
            if run < runs:
                times.append(time.monotonic() - started)
    finally:
        handler.write_text(original)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    project = copy_project(Path(tempfile.mkdtemp(prefix="bench-up-")) / "project")
    generated = cli(project, "generate", "--full")
    if generated.returncode != 0:
        raise SystemExit(generated.stderr)
    try:
        generate_full = generate_full_seconds(project)
        print(f"generate --full (median of 3): {generate_full:.2f} s", flush=True)
        cold_email, cold_total = up_until_email(project)
        warm_email, warm_total = up_until_email(project)
        print(f"cold up: email at {cold_email:.1f} s; warm up: email at {warm_email:.1f} s", flush=True)
        reload_median, reload_all = reload_seconds(project)
        print(f"save → reloaded (median of 3): {reload_median:.1f} s", flush=True)
        sqs, endpoint = clients(project)
        raw = raw_rate(sqs, args.events)
        noop = noop_runner_rate(project, sqs, endpoint, args.events)
        analytics = sqs.get_queue_url(QueueName="analytics-queue")["QueueUrl"]
        dlq = sqs.get_queue_url(QueueName="analytics-dlq")["QueueUrl"]
        dlq_before = depth(sqs, dlq)
        preload(sqs, analytics, args.events)
        started = time.monotonic()
        real = args.events / wait_drained(sqs, analytics, started)
        dlq_after = depth(sqs, dlq)
    finally:
        cli(project, "down")
    print(f"generate --full, whole process, median of 3   {generate_full:6.2f} s   (goal ≤ 0.4 s)")
    print(f"save → reloaded (new version live), median of 3 {reload_median:6.1f} s   (goal ≤ 2 s; "
          f"each: {', '.join(f'{t:.1f}' for t in reload_all)})")
    print("make up → the demo job's email recorded (goal: cold ≤ 60 s with installs, warm ≤ 8 s)")
    print(f"  cold (from nothing)        {cold_email:6.1f} s   (whole up {cold_total:5.1f} s)")
    print(f"  warm (stack already up)    {warm_email:6.1f} s   (whole up {warm_total:5.1f} s)")
    print(f"{args.events} analytics events drained from a preloaded queue (same emulator, same run)")
    print(f"  emulator raw receive+delete        {raw:6.0f} msg/s")
    print(f"  runner, do-nothing function        {noop:6.0f} msg/s   overhead {raw / noop - 1:+.0%} (goal ≤ +20 %)")
    print(f"  runner, the analytics function     {real:6.0f} msg/s   ({dlq_after - dlq_before} reached analytics-dlq)")


if __name__ == "__main__":
    main()
