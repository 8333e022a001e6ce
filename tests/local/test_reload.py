"""Hot reload on the session's local stack (generator/local/reloader.py): a saved handler is redeployed as a new
version behind live and handles the next message; a file that does not parse is refused and the previous code
keeps running; messages flowing while the code changes are each handled once; and afterwards terraform/ is what
`generate` leaves and a plan shows no changes.

The email function is the one edited (one message, one observable result: the email recorded). The stack is left
with its code as it was found.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest

from generator.local.apply import TerraformApply
from generator.local.state import LocalState, RunnerRecord
from tests.local.project_copy import run
from tests.local.stack import GROUP, Stack, clients, notification, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.terraform, GROUP]

MARKER = "handled by the reloaded code"


def _change(marker: str) -> str:
    return f'''

_before_{abs(hash(marker)) % 10_000} = lambda_handler


def lambda_handler(event, context):  # noqa: F811
    print({marker!r})
    return _before_{abs(hash(marker)) % 10_000}(event, context)
'''


def _reload_lines(project) -> list[dict]:
    path = project / ".local" / "reloader.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _wait_for_reload(project, before: int, event: str, timeout: float = 120) -> dict:
    return wait_for(lambda: next((r for r in _reload_lines(project)[before:] if r["event"] == event), None),
                    f"a {event} line in reloader.log", timeout=timeout)


def _emails_for(endpoint: str, job: str) -> int:
    with urllib.request.urlopen(f"{endpoint}/_local/ses/messages", timeout=30) as response:
        return sum(job in json.dumps(message) for message in json.loads(response.read()))


def _send(sqs, body: str) -> None:
    sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName="email-queue")["QueueUrl"], MessageBody=body)


def test_a_saved_handler_runs_on_the_next_message_and_a_syntax_error_keeps_the_previous_code(
        local_stack: Stack) -> None:
    project = local_stack.project
    _, endpoint, sqs = clients(project)
    handler = project / "lambdas" / "email" / "handler.py"
    log = project / ".local" / "logs" / "email.log"
    original = handler.read_text()
    try:
        before = len(_reload_lines(project))
        saved = time.monotonic()
        handler.write_text(original + _change(MARKER))
        reloaded = _wait_for_reload(project, before, "reloaded")
        took = time.monotonic() - saved
        assert re.fullmatch(r"reloaded email in \d+ ms \(version \d+\)", reloaded["message"]), reloaded
        record = RunnerRecord.read(LocalState(project))
        assert record is not None and record.live_versions["email"] == str(reloaded["version"])
        job, body = notification("reloaded")
        _send(sqs, body)
        wait_for(lambda: _emails_for(endpoint, job), f"the email of {job}", timeout=30)
        assert MARKER in log.read_text()
        print(f"save → reloaded: {took:.1f} s")  # the figure is bench/up.py's; here only that it happens

        before = len(_reload_lines(project))
        handler.write_text(original + _change(MARKER) + "\ndef broken(:\n")
        failed = _wait_for_reload(project, before, "reload-failed")
        assert "reload of email failed" in failed["message"] and "previous code keeps running" in failed["message"]
        assert "handler.py" in failed["message"]  # the place
        count = log.read_text().count(MARKER)
        job, body = notification("still-previous")
        _send(sqs, body)
        wait_for(lambda: _emails_for(endpoint, job), f"the email of {job}", timeout=30)
        assert log.read_text().count(MARKER) == count + 1  # the last good code handled it
    finally:
        before = len(_reload_lines(project))
        handler.write_text(original)
        _wait_for_reload(project, before, "reloaded")
    assert run(project, "generate", "--check").returncode == 0  # terraform/ is what generate leaves
    changes, plan = TerraformApply(LocalState(project), project / "terraform").plan_has_changes()
    assert not changes, plan[-3000:]


def test_messages_flowing_while_the_code_changes_are_each_handled_once(local_stack: Stack) -> None:
    project = local_stack.project
    _, endpoint, sqs = clients(project)
    handler = project / "lambdas" / "email" / "handler.py"
    original = handler.read_text()
    jobs = []
    try:
        before = len(_reload_lines(project))
        for number in range(30):
            job, body = notification(f"load{number}")
            jobs.append(job)
            _send(sqs, body)
            if number == 10:
                handler.write_text(original + _change("under load"))
            time.sleep(0.2)
        _wait_for_reload(project, before, "reloaded")
        for job in jobs:
            wait_for(lambda job=job: _emails_for(endpoint, job), f"the email of {job}", timeout=60)
        assert [_emails_for(endpoint, job) for job in jobs] == [1] * len(jobs)
    finally:
        before = len(_reload_lines(project))
        handler.write_text(original)
        _wait_for_reload(project, before, "reloaded")
