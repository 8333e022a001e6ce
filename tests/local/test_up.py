"""`make up` end to end, on a copy of this project: the generated Terraform applied unchanged to the emulator,
every function run from its zip, a job through router → downloader → thumbnail → email → analytics, a job whose
URL answers 404 received exactly maxReceiveCount times then in the DLQ with its alarm in ALARM, the rollback
switch, an idempotent second `up`, and `down` leaving nothing behind.

The copy is the user's live topology (queues.toml, lambdas/, terraform/); the expectations are read from it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import boto3
import pytest

from generator.local.apply import TerraformApply
from generator.local.state import STACK_MARKER, LocalState
from generator.local.up import stack_processes
from generator.spec.load import load_spec
from tests.local.project_copy import cli, copy_project

pytestmark = [pytest.mark.slow, pytest.mark.terraform]

RETRY_DELAY = 1


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("up") / "project")
    generated = cli(project, "generate", "--full")
    assert generated.returncode == 0, generated.stderr
    started = time.monotonic()
    result = cli(project, "up", "--retry-delay", str(RETRY_DELAY))
    elapsed = time.monotonic() - started
    try:
        yield project, result, elapsed
    finally:
        cli(project, "down")


def session_for(project: Path):
    record = LocalState(project).read("emulator.json")
    assert record, "the emulator recorded nothing"
    return boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                 region_name="us-east-1"), f"http://127.0.0.1:{record['port']}"


def test_up_runs_a_job_through_every_function(stack):
    project, result, _ = stack
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "terraform apply of the generated files" in out
    assert "demo job" in out and "complete" in out
    assert "analytics counted: job_queued, video_downloaded, thumbnails_created, email_sent" in out
    assert "/videos/" in out and "/thumbnails/" in out and "email from " in out
    assert "python3.12" in out  # the summary says which Python ran the functions
    # every function ran from its unpacked zip
    logs = {path.stem for path in (project / ".local" / "logs").glob("*.log") if path.stat().st_size}
    assert {"router", "downloader", "thumbnail", "email", "analytics"} <= logs


def test_the_generated_files_are_applied_unchanged_and_a_plan_shows_no_changes(stack):
    project, result, _ = stack
    assert result.returncode == 0
    copied = project / ".local" / "terraform"
    for path in (project / "terraform").glob("*.tf"):
        assert (copied / path.name).read_bytes() == path.read_bytes()
    changes, output = TerraformApply(LocalState(project), project / "terraform").plan_has_changes()
    assert not changes, output[-3000:]


def test_status_reports_the_success_criterion(stack):
    project, result, _ = stack
    assert result.returncode == 0
    status = cli(project, "status", "--local")
    assert status.returncode == 0, status.stdout + status.stderr
    assert 'success criterion "No messages in DLQ after testing" is met' in status.stdout


def test_a_job_that_fails_is_received_max_receive_count_times_then_lands_in_the_dlq_and_alarms(stack):
    project, result, _ = stack
    assert result.returncode == 0
    spec = load_spec(project / "queues.toml").spec
    queue = spec.queues[spec.functions["downloader"].trigger.queue]
    runner = LocalState(project).read("runner.json")
    job = cli(project, "job", "--local", f"{runner['media_url']}/missing.mp4")
    assert job.returncode == 0, job.stderr
    job_id = json.loads(job.stdout)["job_id"]
    deadline = time.monotonic() + 120
    while True:
        status = cli(project, "status", "--local")
        alarm = next((line for line in status.stdout.splitlines() if "video-processing-dlq-alarm" in line), "")
        if status.returncode == 1 and "ALARM" in alarm:
            break
        assert time.monotonic() < deadline, status.stdout
        time.sleep(2)
    assert "video-processing-dlq (1)" in status.stdout
    assert 'success criterion "No messages in DLQ after testing" is NOT met' in status.stdout
    received = [json.loads(line) for line in (project / ".local" / "runner.log").read_text().splitlines()
                if '"event": "batch"' in line and '"function": "downloader"' in line and '"failed": 1' in line]
    assert len(received) == queue.max_receive_count
    session, endpoint = session_for(project)
    sqs = session.client("sqs", endpoint_url=endpoint)
    dlq = sqs.get_queue_url(QueueName="video-processing-dlq")["QueueUrl"]
    held = sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=0, MessageSystemAttributeNames=["All"])["Messages"]
    assert json.loads(held[0]["Body"])["job_id"] == job_id


def test_the_rollback_switch_stops_consumption_through_the_api(stack):
    project, result, _ = stack
    assert result.returncode == 0
    session, endpoint = session_for(project)
    lambda_ = session.client("lambda", endpoint_url=endpoint)
    sqs = session.client("sqs", endpoint_url=endpoint)
    # the week-1 plan's rollback step 1, by function name (as `aws lambda list-event-source-mappings` does)
    mapping = lambda_.list_event_source_mappings(FunctionName="email")["EventSourceMappings"][0]
    lambda_.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    time.sleep(4)  # the runner re-reads the mappings every 2 s
    url = sqs.get_queue_url(QueueName="email-queue")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody='{"not": "a notification"}')
    time.sleep(4)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert counts["ApproximateNumberOfMessages"] == "1"  # nobody polls: the message waits
    lambda_.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    deadline = time.monotonic() + 30
    while sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"]["ApproximateNumberOfMessages"] != "0":
        assert time.monotonic() < deadline, "re-enabled mapping did not poll again"
        time.sleep(1)


def test_a_second_up_is_idempotent(stack):
    project, result, _ = stack
    assert result.returncode == 0
    again = cli(project, "up", "--retry-delay", str(RETRY_DELAY))
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "emulator already running" in again.stdout
    changes, output = TerraformApply(LocalState(project), project / "terraform").plan_has_changes()
    assert not changes, output[-3000:]


def test_down_leaves_no_process_and_no_state(tmp_path_factory, stack):
    project, result, _ = stack
    assert result.returncode == 0
    state = LocalState(project)
    assert stack_processes(state), f"nothing carries {STACK_MARKER} while the stack is up"
    down = cli(project, "down")
    assert down.returncode == 0, down.stderr
    assert "stopped:" in down.stdout
    assert stack_processes(state) == []
    assert not state.dir.exists()
    again = cli(project, "down")
    assert again.returncode == 0 and "nothing was running" in again.stdout
