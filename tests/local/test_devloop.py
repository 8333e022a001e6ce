"""The daily loop on the session's local stack: `invoke` runs one function on one event built as Lambda builds
it, `logs` shows every line with its request and message ids (and the same lines are in the emulator's
CloudWatch Logs), `trace` follows the demo job through all five functions by its correlation id."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from generator.local.state import LocalState, RunnerRecord
from tests.local.project_copy import run
from tests.local.stack import GROUP, Stack, clients, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.terraform, GROUP]


def _invoke(stack: Stack, *args: str) -> tuple[int, dict]:
    result = run(stack.project, "invoke", "--local", *args, "--json")
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)


def test_invoke_the_router_with_a_function_url_request(local_stack: Stack) -> None:
    runner = RunnerRecord.read(LocalState(local_stack.project))
    assert runner is not None and runner.invoke_endpoint.startswith("http://127.0.0.1:")
    body = json.dumps({"video_url": f"{runner.media_url}/sample.mp4", "user_email": "ada@example.com"})
    code, answer = _invoke(local_stack, "router", "--event", "http", "--path", "/jobs", "--body", body)
    assert code == 0, answer
    assert answer["event"]["version"] == "2.0" and answer["event"]["rawPath"] == "/jobs"
    assert answer["response"]["statusCode"] == 200
    job_id = json.loads(answer["response"]["body"])["job_id"]
    logs = answer["logs"]
    assert [line["text"].split()[0] for line in logs if line["stream"] == "platform"] == ["START", "END", "REPORT"]
    assert all(line["request_id"] == answer["request_id"] for line in logs)
    assert any(job_id in line["text"] for line in logs if line["stream"] == "function")


def test_invoke_the_downloader_with_a_message_of_its_queue(local_stack: Stack) -> None:
    code, answer = _invoke(local_stack, "downloader", "--body", "not a job", "--attribute", "JobType=video_download")
    assert code == 1  # the record failed: a batch item failure
    [record] = answer["event"]["Records"]
    assert record["eventSourceARN"].endswith(":video-processing-queue")
    assert record["md5OfBody"] == hashlib.md5(b"not a job").hexdigest()
    assert record["attributes"]["ApproximateReceiveCount"] == "1" and record["md5OfMessageAttributes"]
    assert answer["response"] == {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
    poison = [line for line in answer["logs"] if "poison message" in line["text"]]
    assert poison and poison[0]["message_ids"] == [record["messageId"]]
    text = run(local_stack.project, "invoke", "--local", "downloader", "--body", "not a job")
    assert text.returncode == 1 and "batch item failures: " in text.stdout and "poison message" in text.stdout


def test_logs_show_request_ids_and_reach_the_emulator_s_cloudwatch_logs(local_stack: Stack) -> None:
    code, answer = _invoke(local_stack, "downloader", "--body", "another poison")
    assert code == 1  # a poison message: a batch item failure
    request_id = answer["request_id"]
    result = run(local_stack.project, "logs", "--local", "downloader", "--since", "10m")
    assert result.returncode == 0, result.stderr
    mine = [line for line in result.stdout.splitlines() if request_id in line]
    assert any("START RequestId" in line for line in mine) and any("poison message" in line for line in mine)
    assert all(line.split()[1] == "downloader" for line in result.stdout.splitlines())
    as_json = run(local_stack.project, "logs", "--local", "--json", "--filter", request_id)
    records = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert records and {record["request_id"] for record in records} == {request_id}
    everything = run(local_stack.project, "logs", "--local")
    assert re.search(r" downloader \(runner\) mapping-polling ", everything.stdout)  # the service's own lines
    session, endpoint, _ = clients(local_stack.project)
    cloudwatch = session.client("logs", endpoint_url=endpoint)

    def shipped() -> list[str]:
        events = cloudwatch.filter_log_events(logGroupName="/aws/lambda/downloader")["events"]
        return [event["message"] for event in events if request_id in event["message"]]

    found = wait_for(lambda: len(shipped()) >= 3 and shipped(), "the invocation's lines in CloudWatch Logs", 30)
    assert any(message.startswith(f"START RequestId: {request_id}") for message in found)
    assert any(message.startswith(f"REPORT RequestId: {request_id}") for message in found)


def test_trace_follows_the_demo_job_through_all_five_functions(local_stack: Stack) -> None:
    job_id = re.search(r"Demo job ([0-9a-f-]{36}):", local_stack.up.stdout).group(1)
    result = run(local_stack.project, "trace", "--local", job_id, "--json")
    assert result.returncode == 0, result.stderr
    hops = json.loads(result.stdout)["hops"]
    assert [hop["time"] for hop in hops] == sorted(hop["time"] for hop in hops)
    assert {hop["function"] for hop in hops if hop["kind"] in ("invoked", "answered")} == {
        "router", "downloader", "thumbnail", "email", "analytics"}
    sent = [hop["queue"] for hop in hops if hop["kind"] == "sent"]
    assert sent.index("video-processing-queue") < sent.index("thumbnail-generation-queue") < sent.index("email-queue")
    assert "analytics-queue" in sent
    assert not [hop for hop in hops if hop["kind"] in ("failed", "dead-letter")]
    text = run(local_stack.project, "trace", "--local", job_id)
    assert "sent to video-processing-queue" in text.stdout and "downloader handled it" in text.stdout
    missing = run(local_stack.project, "trace", "--local", "no-such-job")
    assert missing.returncode == 1 and "names 'no-such-job'" in missing.stderr
