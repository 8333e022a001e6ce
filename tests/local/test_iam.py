"""IAM enforced in the local stack: a generated role that lacks one grant fails its function as it would on AWS
(AWS's AccessDenied text in the function's log), its message reaches the DLQ after maxReceiveCount receives, and
once the grant is back a redrive completes the job. Runs on the session's stack (tests/local/stack.py) and leaves
it as it found it: the role's policy restored, the DLQ empty."""

from __future__ import annotations

import json
import sys
from urllib.parse import unquote

import pytest

from generator.local import demo
from generator.progress import Progress
from tests.local.project_copy import run
from tests.local.stack import GROUP, Stack, clients, counts, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.terraform, GROUP]

FUNCTION = "thumbnail"
ROLE, POLICY = f"{FUNCTION}-role", f"{FUNCTION}-least-privilege"  # as terraform/modules/pipeline/iam.tf names them
REMOVED = "SendToQueues"  # the statement that lets the thumbnail function send to the email and analytics queues
QUEUE, DLQ, MAX_RECEIVE_COUNT = "thumbnail-generation-queue", "thumbnail-generation-dlq", 3  # queues.toml


def test_a_role_without_a_grant_fails_its_function_with_awss_error_then_a_redrive_completes_the_job(
        local_stack: Stack) -> None:
    project = local_stack.project
    assert local_stack.up.returncode == 0, local_stack.up.stdout[-3000:] + local_stack.up.stderr[-3000:]
    assert "IAM enforced" in local_stack.up.stdout
    session, endpoint, sqs = clients(project)
    iam = session.client("iam", endpoint_url=endpoint)
    applied = iam.get_role_policy(RoleName=ROLE, PolicyName=POLICY)["PolicyDocument"]
    document = json.loads(unquote(applied)) if isinstance(applied, str) else applied
    kept = [statement for statement in document["Statement"] if statement.get("Sid") != REMOVED]
    assert len(kept) == len(document["Statement"]) - 1, document
    log = project / ".local" / "logs" / f"{FUNCTION}.log"
    runner_log = project / ".local" / "runner.log"
    log_offset, runner_offset = log.stat().st_size, runner_log.stat().st_size
    iam.put_role_policy(RoleName=ROLE, PolicyName=POLICY, PolicyDocument=json.dumps({**document, "Statement": kept}))
    try:
        submitted = run(project, "job", "--local", "sample")
        assert submitted.returncode == 0, submitted.stderr
        job_id = json.loads(submitted.stdout)["job_id"]
        wait_for(lambda: counts(sqs, DLQ) == (1, 0), f"the job's thumbnail message in {DLQ}", timeout=180)
    finally:
        iam.put_role_policy(RoleName=ROLE, PolicyName=POLICY, PolicyDocument=json.dumps(document))

    printed = log.read_bytes()[log_offset:].decode("utf-8", "replace")
    account = sqs.get_queue_attributes(QueueUrl=sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"],
                                       AttributeNames=["QueueArn"])["Attributes"]["QueueArn"].split(":")[4]
    assert "AccessDenied" in printed, printed[-3000:]
    assert (f"User: arn:aws:sts::{account}:assumed-role/{ROLE}/{FUNCTION} is not authorized to perform: "
            f"sqs:SendMessage on resource: arn:aws:sqs:us-east-1:{account}:") in printed, printed[-3000:]
    assert "because no identity-based policy allows the sqs:SendMessage action" in printed
    failed = [json.loads(line) for line in runner_log.read_bytes()[runner_offset:].decode().splitlines()
              if '"event": "batch"' in line and f'"function": "{FUNCTION}"' in line and '"failed": 1' in line]
    assert len(failed) == MAX_RECEIVE_COUNT

    redriven = run(project, "redrive", "--local", "thumbnail-generation")
    assert redriven.returncode == 0, redriven.stdout + redriven.stderr
    found = demo.wait_for_job(session, endpoint, job_id, Progress(sys.stderr), timeout=180)
    assert found.complete, found
    wait_for(lambda: counts(sqs, DLQ) == (0, 0) and counts(sqs, QUEUE) == (0, 0), f"{DLQ} and {QUEUE} drained")
