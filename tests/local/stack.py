"""The one local stack of a test session: a copy of this project (its live topology) generated and brought up
once, with the demo job, shared by every test that needs a running stack (tests/local/test_up.py,
tests/ops/test_on_local_stack.py). A cold apply costs more than a minute, so there is one per session.

Those tests run on one pytest-xdist worker (the `local-stack` group), in file order; the test that stops the stack
(`stack_last`) runs after every other test of the session. The job that fails into video-processing-dlq is one job
for both files (`failed_job`): up's test sees it land there, the operations commands then look at it and bring it
back.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from generator.local.state import EmulatorRecord, LocalState, RunnerRecord, local_session
from tests.local.project_copy import cli, copy_project, run

RETRY_DELAY = 1
GROUP = pytest.mark.xdist_group(name="local-stack")


@dataclass(frozen=True)
class Stack:
    project: Path
    up: subprocess.CompletedProcess  # the first `up`, with the demo job
    up_seconds: float


@dataclass(frozen=True)
class FailedJob:
    job_id: str


@pytest.fixture(scope="session")
def local_stack(terraform_bin: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    project = copy_project(tmp_path_factory.mktemp("stack") / "project")
    generated = cli(project, "generate", "--full")
    assert generated.returncode == 0, generated.stderr
    started = time.monotonic()
    result = cli(project, "up", "--retry-delay", str(RETRY_DELAY))
    elapsed = time.monotonic() - started
    try:
        yield Stack(project, result, elapsed)
    finally:
        cli(project, "down")


@pytest.fixture(scope="session")
def failed_job(local_stack: Stack) -> FailedJob:
    """A job whose video URL answers 404: received max_receive_count times, then in video-processing-dlq."""
    project = local_stack.project
    assert local_stack.up.returncode == 0, local_stack.up.stdout[-3000:] + local_stack.up.stderr[-3000:]
    runner = RunnerRecord.read(LocalState(project))
    assert runner is not None
    job = run(project, "job", "--local", f"{runner.media_url}/missing.mp4")
    assert job.returncode == 0, job.stderr
    _, _, sqs = clients(project)
    wait_for(lambda: counts(sqs, "video-processing-dlq") == (1, 0), "the failed job in video-processing-dlq")
    return FailedJob(json.loads(job.stdout)["job_id"])


def clients(project: Path) -> tuple[Any, str, Any]:
    """(a boto3 session for the stack, its endpoint, an SQS client)."""
    record = EmulatorRecord.read(LocalState(project))
    assert record is not None, "the emulator recorded nothing"
    session = local_session("us-east-1")
    return session, record.endpoint, session.client("sqs", endpoint_url=record.endpoint)


def counts(sqs: Any, name: str) -> tuple[int, int]:
    """(visible, in flight) of a queue."""
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesNotVisible"])


def wait_for(check: Callable[[], Any], what: str, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"{what} within {timeout:.0f} s"
        time.sleep(1)
    return found


def notification(tag: str) -> tuple[str, str]:
    """(a job id, the body of an email notification for it that the email function sends)."""
    job = f"{tag}-{uuid.uuid4().hex[:8]}"
    body = {"type": "email_notification", "version": 1, "notification_id": f"n-{job}", "job_id": job,
            "to_address": "ada@example.com", "video_url": f"http://127.0.0.1/{job}.mp4",
            "thumbnail_keys": [f"thumbnails/{job}/320x180.jpg"], "timestamp": int(time.time())}
    return job, json.dumps(body)
