"""The operations commands against the session's local stack (tests/local/stack.py: a copy of this project, its
live topology): a job whose video URL answers 404 ends in the DLQ (status exits 1 and counts it), peek shows it
and leaves it there, the file appears on the media server and redrive (StartMessageMoveTask, emulated) brings the
job back to complete; the emergency rollback stops and restarts a consumer; a copy-redrive killed midway and run
again loses nothing and sends nothing twice; purge refuses without the queue's name.

The tests run in file order on the session's stack: the failed job of the first three is the session's one.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.local import demo
from generator.local.apply import TerraformApply
from generator.local.state import LocalState
from generator.pause import PAUSE_VARIABLE
from generator.progress import Progress
from generator.spec.load import load_spec
from tests.local.project_copy import ROOT, run
from tests.local.stack import GROUP, FailedJob, Stack, clients, counts, notification, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.terraform, GROUP]


@pytest.fixture
def stack(local_stack: Stack) -> Path:
    return local_stack.project


def test_status_after_a_failure_exits_1_counting_the_message_in_the_dlq(stack, failed_job: FailedJob):
    def alarmed():
        status = run(stack, "status", "--local", "--json")
        document = json.loads(status.stdout)
        states = {alarm["name"]: alarm["state"] for alarm in document["alarms"]}
        return (status, document) if states.get("video-processing-dlq-alarm") == "ALARM" else None

    status, document = wait_for(alarmed, "the DLQ alarm in ALARM", timeout=60)
    assert status.returncode == 1
    assert document["dlqs_holding_messages"] == ["video-processing-dlq"]
    assert document["success_criterion_met"] is False
    queues = {queue["name"]: queue for queue in document["queues"]}
    assert (queues["video-processing-dlq"]["visible"], queues["video-processing-dlq"]["in_flight"]) == (1, 0)
    assert all(q["visible"] + q["in_flight"] + q["delayed"] == 0 for q in document["queues"]
               if q["role"] == "dlq" and q["name"] != "video-processing-dlq")
    assert {(m["function"], m["queue"], m["state"]) for m in document["mappings"]} >= {
        ("downloader", "video-processing-queue", "Enabled"), ("email", "email-queue", "Enabled")}
    text = run(stack, "status", "--local")
    assert text.returncode == 1
    assert "video-processing-dlq (1)" in text.stdout and "is NOT met" in text.stdout
    assert "python -m generator redrive --local video-processing-dlq" in text.stdout  # the next step, runnable
    assert "downloader" in text.stdout and "Enabled" in text.stdout  # the consumers' table


def test_peek_shows_the_failed_job_and_leaves_it_in_the_dlq(stack, failed_job: FailedJob):
    spec = load_spec(stack / "queues.toml").spec
    peek = run(stack, "peek", "--local", "video-processing", "--json")
    assert peek.returncode == 0, peek.stderr
    document = json.loads(peek.stdout)
    assert document["queue"] == "video-processing-dlq" and document["total"] == 1
    [message] = document["messages"]
    assert json.loads(message["body"])["job_id"] == failed_job.job_id
    assert message["receive_count"] > spec.queues["video-processing"].max_receive_count  # its failures + the peek
    assert message["source_arn"].endswith(":video-processing-queue")
    assert message["sent"] and message["first_received"] and message["sent"] <= message["first_received"]
    assert set(message["attributes"]) >= {"JobType"}  # the router's message attributes
    _, _, sqs = clients(stack)
    assert counts(sqs, "video-processing-dlq") == (1, 0)  # still there, visible at once
    text = run(stack, "peek", "--local", "video-processing-dlq")
    assert text.returncode == 0 and failed_job.job_id in text.stdout and "left in the queue" in text.stdout
    assert counts(sqs, "video-processing-dlq") == (1, 0)


def test_redrive_brings_the_job_back_once_its_video_exists_and_it_completes(stack, failed_job: FailedJob):
    media = stack / ".local" / "media"
    shutil.copy(demo.synthesize_video(media), media / "missing.mp4")  # the file appears on the media server
    redrive = run(stack, "redrive", "--local", "video-processing")
    assert redrive.returncode == 0, redrive.stdout + redrive.stderr
    assert "StartMessageMoveTask" in redrive.stdout and "1 moved" in redrive.stdout
    assert "video-processing-queue" in redrive.stdout  # where it went, and how that was found
    session, endpoint, sqs = clients(stack)
    found = demo.wait_for_job(session, endpoint, failed_job.job_id, Progress(sys.stderr), timeout=180)
    assert found.complete and found.email is not None
    assert counts(sqs, "video-processing-dlq") == (0, 0)
    assert run(stack, "status", "--local").returncode == 0
    again = run(stack, "redrive", "--local", "video-processing")
    assert again.returncode == 0 and "nothing to redrive" in again.stdout


def _plan_of(address: str, project: Path) -> subprocess.CompletedProcess:
    """`terraform plan` of one resource of the applied stack (what the next plan says about it, in seconds)."""
    from generator import tfcli

    applied = TerraformApply(LocalState(project), project / "terraform")
    command = [tfcli.terraform_binary() or "terraform", "plan", "-input=false", "-detailed-exitcode", "-no-color",
               f"-target={address}"]
    return subprocess.run(command, cwd=applied.workdir, env=applied.env, capture_output=True, text=True, timeout=300)


def test_disable_stops_a_consumer_at_once_and_enable_starts_it_again(stack):
    _, endpoint, sqs = clients(stack)
    disabled = run(stack, "disable", "--local", "email")
    assert disabled.returncode == 0, disabled.stderr
    assert "email ← email-queue" in disabled.stdout and "Disabled" in disabled.stdout
    lines = (stack / "queues.toml").read_text().splitlines()
    trigger_line = next(n for n in range(lines.index("[functions.email]"), len(lines))
                        if lines[n].startswith("trigger = ")) + 1
    assert f"set `enabled = false` at functions.email.trigger (queues.toml:{trigger_line})" in disabled.stdout
    time.sleep(3)  # the runner re-reads the mappings every 2 s
    job, body = notification("rollback")
    assert run(stack, "send", "--local", "email", body).returncode == 0
    time.sleep(5)
    assert counts(sqs, "email-queue") == (1, 0)  # nobody polls: it waits
    plan = _plan_of("module.pipeline.aws_lambda_event_source_mapping.email", stack)
    assert plan.returncode == 2 and re.search(r"~ enabled\s+= false -> true", plan.stdout), plan.stdout[-3000:]
    # a job goes as far as the enabled consumers take it, and says where it waits
    waited = run(stack, "job", "--local", "sample", "--wait", "120")
    assert waited.returncode == 0, waited.stderr[-3000:]
    assert "email is stopped (its trigger on email-queue is disabled)" in waited.stderr
    reached = json.loads(waited.stdout.splitlines()[-1])
    assert reached["email"] is None and any("/thumbnails/" in key for key in reached["objects"])
    assert reached["milestones"] == {"job_queued": True, "video_downloaded": True, "thumbnails_created": True,
                                     "email_sent": False}
    enabled = run(stack, "enable", "--local", "email")
    assert enabled.returncode == 0 and "Enabled" in enabled.stdout
    assert "already says `enabled = true`" in enabled.stdout
    wait_for(lambda: demo._sent_email(endpoint, job), "the email once the consumer is enabled", timeout=60)
    wait_for(lambda: demo._sent_email(endpoint, reached["job_id"]), "the job's email once enabled", timeout=60)
    wait_for(lambda: counts(sqs, "email-queue") == (0, 0), "email-queue drained")


def _wait_for_pause(process: subprocess.Popen[str], point: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    assert process.stderr is not None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], deadline - time.monotonic())
        line = process.stderr.readline() if ready else ""
        if line == f"paused at {point}\n":
            return
        if not line:
            break
    process.kill()
    raise AssertionError(f"the redrive never paused at {point}: {process.communicate()}")


def _drain(sqs, name: str) -> list[str]:
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    bodies = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
        bodies += [message["Body"] for message in batch]
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)])
    return bodies


def _fill_email_dlq(stack: Path, sqs, tag: str, count: int) -> list[str]:
    """`count` notifications in email-dlq, with the email consumer disabled so their copies stay countable."""
    assert run(stack, "disable", "--local", "email").returncode == 0
    time.sleep(3)  # the runner re-reads the mappings every 2 s
    bodies = [notification(f"{tag}")[1] for _ in range(count)]
    dlq = sqs.get_queue_url(QueueName="email-dlq")["QueueUrl"]
    for start in range(0, count, 10):
        sqs.send_message_batch(QueueUrl=dlq, Entries=[
            {"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies[start:start + 10])])
    return bodies


# Killed after the 2nd batch was received (nothing of it sent), or after it was sent and journaled (its originals
# not deleted yet): (killed at, copies in email-queue at the kill, what the re-run sends, what it only deletes)
KILL_POINTS = [("redrive-received-2", 10, 15, 0), ("redrive-journaled-2", 20, 5, 10)]


@pytest.mark.parametrize(("point", "sent_before", "moved_after", "resumed_after"), KILL_POINTS)
def test_a_copy_redrive_killed_midway_and_run_again_loses_nothing_and_sends_nothing_twice(
        stack, point, sent_before, moved_after, resumed_after):
    _, _, sqs = clients(stack)
    bodies = _fill_email_dlq(stack, sqs, f"kill-{point}", 25)
    env = {**os.environ, "PYTHONPATH": str(ROOT), PAUSE_VARIABLE: point}
    command = [sys.executable, "-m", "generator", "redrive", "--local", "email", "--method", "copy",
               "--visibility", "5"]
    process = subprocess.Popen(command, cwd=stack, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    _wait_for_pause(process, point)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert sum(counts(sqs, "email-queue")) == sent_before
    again = run(stack, *command[3:], "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    summary = json.loads(again.stdout)
    assert (summary["moved"], summary["resumed"], summary["failed"], summary["left"]) == (
        moved_after, resumed_after, {}, 0)
    copies = _drain(sqs, "email-queue")
    assert sorted(copies) == sorted(bodies)  # every message once: none lost, none twice
    assert counts(sqs, "email-dlq") == (0, 0)


def test_an_interrupted_move_task_goes_on_inside_sqs_and_a_second_redrive_follows_it(stack):
    _, _, sqs = clients(stack)
    bodies = _fill_email_dlq(stack, sqs, "move-task", 6)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "generator", "redrive", "--local", "email", "--rate", "1"],
                               cwd=stack, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while "StartMessageMoveTask:" not in (line := process.stdout.readline()):
        assert line and time.monotonic() < deadline, process.communicate()
    process.send_signal(signal.SIGINT)  # Ctrl-C while it follows the task
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 130, out
    assert "the task keeps running inside SQS: run `redrive` again to follow it" in out
    follow = run(stack, "redrive", "--local", "email")
    assert follow.returncode == 0, follow.stdout + follow.stderr
    assert "already running" in follow.stdout and "6 moved" in follow.stdout
    assert sorted(_drain(sqs, "email-queue")) == sorted(bodies)
    assert counts(sqs, "email-dlq") == (0, 0)


def test_purge_refuses_without_the_queues_name_and_purges_with_it(stack):
    _, _, sqs = clients(stack)

    def fill(name: str, count: int) -> None:  # DLQs: no consumer takes the messages first
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        for _ in range(count):
            sqs.send_message(QueueUrl=url, MessageBody=notification("purge")[1])

    fill("email-dlq", 3)
    refused = run(stack, "purge", "--local", "email-dlq")  # a script: no terminal to ask
    assert refused.returncode == 2 and "confirm with --yes-purge email-dlq" in refused.stderr
    wrong = run(stack, "purge", "--local", "email-dlq", "--yes-purge", "email")  # a key is not the queue's name
    assert wrong.returncode == 2 and "'email' is not email-dlq: nothing was purged" in wrong.stderr
    assert counts(sqs, "email-dlq") == (3, 0)
    purged = run(stack, "purge", "--local", "email-dlq", "--yes-purge", "email-dlq")
    assert purged.returncode == 0, purged.stderr
    assert "purged email-dlq: 3 messages before, 0 now" in purged.stdout
    assert counts(sqs, "email-dlq") == (0, 0)
    fill("email-dlq", 1)
    again = run(stack, "purge", "--local", "email-dlq", "--yes-purge", "email-dlq")  # SQS: one purge per 60 s
    assert again.returncode == 1 and "still in progress (SQS allows one per 60 s)" in again.stderr
    assert counts(sqs, "email-dlq") == (1, 0)

    fill("analytics-dlq", 2)
    code, said = in_a_terminal(stack, ["purge", "--local", "analytics"], typed="analytics-dlq")  # key: the queue
    assert code == 2 and "Type the queue's name to go ahead" in said and "nothing was purged" in said, said
    code, said = in_a_terminal(stack, ["purge", "--local", "analytics-dlq"], typed="analytics-dlq")
    assert code == 0 and "purged analytics-dlq: 2 messages before, 0 now" in said, said
    assert counts(sqs, "analytics-dlq") == (0, 0)


def in_a_terminal(project: Path, args: list[str], typed: str) -> tuple[int, str]:
    """The command with a terminal as stdin (as a person runs it), answering its prompt with `typed`."""
    import pty

    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=project, env=env,
                               stdin=terminal, stdout=terminal, stderr=terminal)
    os.close(terminal)
    said, answered = b"", False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 1)
        if ready:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the command ended and closed the terminal
                break
            if not chunk:
                break
            said += chunk
        if not answered and b"go ahead: " in said:
            os.write(controller, typed.encode() + b"\n")
            answered = True
        if process.poll() is not None and not ready:
            break
    os.close(controller)
    return process.wait(timeout=30), said.decode(errors="replace")
