"""Versioned deploys and `rollback` on the session's local stack: a code change published as a new version behind
the `live` alias, `rollback --local` moving live back, the next message handled by the previous code within 5 s of
the command's return, the plan showing the alias's drift until the code is reverted, and the revert applied.

The email function is the one changed: a notification is one message and its result (the email recorded) is
observable. The stack is left as it was found: the code reverted and applied (a new version behind live).
"""

from __future__ import annotations

import time

import pytest

from generator.local import demo
from generator.local.apply import TerraformApply
from generator.local.state import LocalState, RunnerRecord
from tests.local.project_copy import cli, run
from tests.local.stack import GROUP, RETRY_DELAY, Stack, clients, notification, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.terraform, GROUP]

MARKER = "handled by the changed code"
CHANGE = f'''

_unchanged_handler = lambda_handler


def lambda_handler(event, context):  # noqa: F811 (the change under test: a line in the log, then as before)
    print({MARKER!r})
    return _unchanged_handler(event, context)
'''


def _email_sent_by(project, sqs, endpoint, tag: str) -> tuple[str, float, bool]:
    """Send one notification; (its job id, seconds until the email was recorded, whether the changed code ran)."""
    log = project / ".local" / "logs" / "email.log"
    before = log.read_text().count(MARKER)
    job, body = notification(tag)
    sent = time.monotonic()
    sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName="email-queue")["QueueUrl"], MessageBody=body)
    wait_for(lambda: demo._sent_email(endpoint, job), f"the email of {job}", timeout=30)
    return job, time.monotonic() - sent, log.read_text().count(MARKER) > before


def _live(project) -> dict[str, str]:
    record = RunnerRecord.read(LocalState(project))
    assert record is not None
    return record.live_versions


def test_a_code_change_is_a_new_version_and_rollback_brings_the_previous_code_back(local_stack: Stack) -> None:
    project = local_stack.project
    _, endpoint, sqs = clients(project)
    handler = project / "lambdas" / "email" / "handler.py"
    original = handler.read_text()
    first = _live(project)["email"]
    try:
        handler.write_text(original + CHANGE)
        assert run(project, "generate").returncode == 0
        up = cli(project, "up", "--retry-delay", str(RETRY_DELAY), "--no-demo")
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        changed = _live(project)["email"]
        assert int(changed) == int(first) + 1  # the code change published one version; live points at it
        _, _, ran_changed = _email_sent_by(project, sqs, endpoint, "v-new")
        assert ran_changed

        rolled = run(project, "rollback", "email", "--local")
        returned = time.monotonic()
        assert rolled.returncode == 0, rolled.stdout + rolled.stderr
        assert f"email: live {changed} → {first}" in rolled.stdout
        assert f'function_version "{first}" -> "{changed}"' in rolled.stdout  # what the plan will show
        _, seconds, ran_changed = _email_sent_by(project, sqs, endpoint, "v-old")
        assert not ran_changed  # the previous version's code handled it
        assert time.monotonic() - returned <= 5, f"handled {seconds:.1f} s after sending"

        changes, plan = TerraformApply(LocalState(project), project / "terraform").plan_has_changes()
        assert changes and "email_live" in plan and "1 to change, 0 to destroy" in plan

        status = run(project, "status", "--local")
        assert f"(rolled back: the newest is {changed})" in status.stdout

        forward = run(project, "rollback", "email", "--local", "--to", changed)
        assert forward.returncode == 0 and f"email: live {first} → {changed}" in forward.stdout
    finally:
        handler.write_text(original)
        assert run(project, "generate").returncode == 0
        restored = cli(project, "up", "--retry-delay", str(RETRY_DELAY), "--no-demo")
        assert restored.returncode == 0, restored.stdout[-3000:] + restored.stderr[-3000:]
    changes, plan = TerraformApply(LocalState(project), project / "terraform").plan_has_changes()
    assert not changes, plan[-3000:]


def test_rollback_refuses_what_it_cannot_do(local_stack: Stack) -> None:
    project = local_stack.project
    unknown = run(project, "rollback", "nosuch", "--local")
    assert unknown.returncode == 2 and "not a function of" in unknown.stderr
    missing = run(project, "rollback", "router", "--local", "--to", "999")
    assert missing.returncode == 1 and "router has no version 999" in missing.stderr and "fix:" in missing.stderr
    assert "Traceback" not in missing.stderr + unknown.stderr
