"""`make up` end to end, on a copy of this project: the generated Terraform applied unchanged to the emulator,
every function run from its zip, a job through router → downloader → thumbnail → email → analytics, a job whose
URL answers 404 received exactly maxReceiveCount times then in the DLQ with its alarm in ALARM, the rollback
switch, an idempotent second `up`, and `down` leaving nothing behind.

The copy is the user's live topology (queues.toml, lambdas/, terraform/); the expectations are read from it.
"""

from __future__ import annotations

import json
import time

import pytest

from generator.local import demo
from generator.local.apply import TerraformApply
from generator.local.processes import stack_processes
from generator.local.state import STACK_MARKER, LocalState, RunnerRecord
from generator.spec.load import load_spec
from tests.local.project_copy import cli
from tests.local.stack import GROUP, RETRY_DELAY, FailedJob, Stack, clients, counts, notification, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.terraform, GROUP]


def test_up_runs_a_job_through_every_function(local_stack: Stack) -> None:
    project, result = local_stack.project, local_stack.up
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


def test_the_generated_files_are_applied_unchanged_and_a_plan_shows_no_changes(local_stack: Stack) -> None:
    project = local_stack.project
    copied = project / ".local" / "terraform"
    for path in (project / "terraform").glob("*.tf"):
        assert (copied / path.name).read_bytes() == path.read_bytes()
    changes, output = TerraformApply(LocalState(project), project / "terraform").plan_has_changes()
    assert not changes, output[-3000:]


def test_a_second_up_is_idempotent(local_stack: Stack) -> None:
    project = local_stack.project
    before = RunnerRecord.read(LocalState(project))
    again = cli(project, "up", "--retry-delay", str(RETRY_DELAY))
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "emulator already running" in again.stdout
    assert "terraform apply skipped" in again.stdout  # nothing changed since the last apply
    changes, output = TerraformApply(LocalState(project), project / "terraform").plan_has_changes()
    assert not changes, output[-3000:]
    after = RunnerRecord.read(LocalState(project))
    assert before is not None and after is not None and after.pid == before.pid  # the Lambda service was kept
    assert "Lambda service already running with these settings: kept" in again.stdout
    assert after.ports() == before.ports()  # the URLs a waiting job or a user holds still work


def test_an_up_with_other_settings_restarts_the_lambda_service_on_the_same_ports(local_stack: Stack) -> None:
    project = local_stack.project
    before = RunnerRecord.read(LocalState(project))
    again = cli(project, "up", "--retry-delay", str(RETRY_DELAY + 1), "--no-demo")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    after = RunnerRecord.read(LocalState(project))
    assert before is not None and after is not None and after.pid != before.pid  # a new Lambda service
    assert after.ports() == before.ports()  # on the same ports: the URLs a waiting job or a user holds still work
    restored = cli(project, "up", "--retry-delay", str(RETRY_DELAY), "--no-demo")
    assert restored.returncode == 0, restored.stdout[-3000:] + restored.stderr[-3000:]


def test_status_reports_the_success_criterion(local_stack: Stack) -> None:
    project = local_stack.project
    status = cli(project, "status", "--local")
    assert status.returncode == 0, status.stdout + status.stderr
    assert 'success criterion "No messages in DLQ after testing" is met' in status.stdout


def test_a_job_that_fails_is_received_max_receive_count_times_then_lands_in_the_dlq_and_alarms(
        local_stack: Stack, failed_job: FailedJob) -> None:
    project = local_stack.project
    spec = load_spec(project / "queues.toml").spec
    queue = spec.queues[spec.functions["downloader"].trigger.queue]
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
    _, _, sqs = clients(project)
    dlq = sqs.get_queue_url(QueueName="video-processing-dlq")["QueueUrl"]
    held = sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=0, MessageSystemAttributeNames=["All"])["Messages"]
    assert json.loads(held[0]["Body"])["job_id"] == failed_job.job_id


def test_the_rollback_switch_stops_consumption_through_the_api(local_stack: Stack) -> None:
    session, endpoint, sqs = clients(local_stack.project)
    lambda_ = session.client("lambda", endpoint_url=endpoint)
    # the week-1 plan's rollback step 1, by the name of the alias the mapping invokes (as
    # `aws lambda list-event-source-mappings --function-name email:live` does)
    mapping = lambda_.list_event_source_mappings(FunctionName="email:live")["EventSourceMappings"][0]
    lambda_.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    time.sleep(4)  # the runner re-reads the mappings every 2 s
    url = sqs.get_queue_url(QueueName="email-queue")["QueueUrl"]
    job, body = notification("switch")  # one the email function handles: it must not end in email-dlq
    sqs.send_message(QueueUrl=url, MessageBody=body)
    time.sleep(4)
    assert counts(sqs, "email-queue") == (1, 0)  # nobody polls: the message waits
    lambda_.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    wait_for(lambda: demo._sent_email(endpoint, job), "the email once the re-enabled mapping polls again", timeout=30)
    wait_for(lambda: counts(sqs, "email-queue") == (0, 0), "email-queue drained", timeout=30)


@pytest.mark.stack_last
def test_down_leaves_no_process_and_no_state(local_stack: Stack) -> None:
    project = local_stack.project
    state = LocalState(project)
    assert stack_processes(state), f"nothing carries {STACK_MARKER} while the stack is up"
    down = cli(project, "down")
    assert down.returncode == 0, down.stderr
    assert "stopped:" in down.stdout
    assert stack_processes(state) == []
    assert not state.dir.exists()
    again = cli(project, "down")
    assert again.returncode == 0 and "nothing was running" in again.stdout
