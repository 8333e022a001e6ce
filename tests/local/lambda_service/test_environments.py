"""Execution environments: a function's code runs in a process of its own on the runtime's Python, through
Lambda's runtime interface client, with only what the Lambda runtime provides beside its own files."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from generator.local.lambda_service import interpreter
from generator.local.lambda_service.credentials import Credentials, RoleCredentials
from generator.local.lambda_service.environments import FunctionConfig, Pool, Runtime
from tests.conftest import ROOT

HANDLER = '''
import json, os, sys, time
import boto3  # the runtime provides the AWS SDK

def lambda_handler(event, context):
    if event.get("raise"):
        raise ValueError("asked to fail")
    if event.get("sleep"):
        time.sleep(event["sleep"])
    return {"pid": os.getpid(), "python": sys.version.split()[0], "function": context.function_name,
            "remaining_ms": context.get_remaining_time_in_millis(), "setting": os.environ.get("SETTING"),
            "key": os.environ.get("AWS_ACCESS_KEY_ID"), "token": os.environ.get("AWS_SESSION_TOKEN"), "event": event,
            "version": context.function_version, "stream": context.log_stream_name}
'''


@pytest.fixture(scope="module")
def runtime_python() -> Path:
    found = interpreter.find_interpreter("python3.12")
    return interpreter.runtime_virtualenv(ROOT, found, log=lambda message: None)


def config(name: str = "fn", timeout: int = 3, reserved: int | None = None, version: str = "$LATEST") -> FunctionConfig:
    return FunctionConfig(
        name=name, arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        role=f"arn:aws:iam::123456789012:role/{name}-role", region="us-east-1",
        runtime="python3.12", handler="handler.lambda_handler", timeout=timeout, memory_size=128,
        environment={"SETTING": "from-the-emulator"}, log_group=f"/aws/lambda/{name}", log_format="JSON",
        application_log_level=None, code_sha256="x", reserved_concurrency=reserved, version=version,
    )


def pool(tmp_path: Path, python: Path, handler: str = HANDLER, credentials=None, **kwargs) -> Pool:
    task_root = tmp_path / "task"
    task_root.mkdir(exist_ok=True)
    (task_root / "handler.py").write_text(handler, encoding="utf-8")
    function = config(**kwargs)
    return Pool(function, task_root, Runtime(python=python, runtime_env={}, logs_dir=tmp_path / "logs",
                                             tmp_dir=tmp_path / "tmp"), function.environment,
                credentials=credentials)


def test_each_environment_gets_its_role_credentials_and_is_replaced_before_they_expire(tmp_path, runtime_python):
    issued = []

    def credentials() -> Credentials:  # the first expire within the invocation's timeout, the next last an hour
        lasting = dt.timedelta(seconds=30 if not issued else 3600)
        issued.append(Credentials(f"ASIA{len(issued)}", "secret", f"token-{len(issued)}",
                                  dt.datetime.now(dt.UTC) + lasting))
        return issued[-1]

    functions = pool(tmp_path, runtime_python, credentials=credentials)
    try:
        first, second, third = functions.invoke({}), functions.invoke({}), functions.invoke({})
    finally:
        functions.close()
    assert (first.payload["key"], first.payload["token"]) == ("ASIA0", "token-0")
    # 30 s left is less than an invocation (3 s) plus the margin: a new environment with fresh credentials
    assert second.cold_start and second.payload["key"] == "ASIA1" and second.payload["pid"] != first.payload["pid"]
    assert not third.cold_start and third.payload["key"] == "ASIA1"


def test_a_handler_runs_on_the_runtime_python_with_its_environment(tmp_path, runtime_python):
    functions = pool(tmp_path, runtime_python)
    try:
        outcome = functions.invoke({"hello": "world"})
    finally:
        functions.close()
    assert outcome.status == "ok", outcome.error
    assert outcome.cold_start
    answer = outcome.payload
    assert answer["event"] == {"hello": "world"} and answer["function"] == "fn"
    assert answer["setting"] == "from-the-emulator"
    assert 0 < answer["remaining_ms"] <= 3000
    if interpreter.find_interpreter("python3.12").matches_runtime:
        assert answer["python"].startswith("3.12.")


def test_an_environment_of_a_published_version_says_which_version_it_runs(tmp_path, runtime_python):
    functions = pool(tmp_path, runtime_python, version="3")  # what the live alias resolved to
    try:
        outcome = functions.invoke({})
    finally:
        functions.close()
    assert outcome.status == "ok", outcome.error
    assert outcome.payload["version"] == "3" and "/[3]" in outcome.payload["stream"]


def test_environments_stay_warm_between_invocations(tmp_path, runtime_python):
    functions = pool(tmp_path, runtime_python)
    try:
        first, second = functions.invoke({}), functions.invoke({})
    finally:
        functions.close()
    assert first.payload["pid"] == second.payload["pid"]
    assert (first.cold_start, second.cold_start) == (True, False)


def test_an_exception_is_an_error_with_its_type(tmp_path, runtime_python):
    functions = pool(tmp_path, runtime_python)
    try:
        outcome = functions.invoke({"raise": True})
    finally:
        functions.close()
    assert outcome.status == "error"
    assert outcome.error["errorType"] == "ValueError"
    assert outcome.error["errorMessage"] == "asked to fail"


def test_a_timeout_kills_the_environment_and_the_next_invocation_starts_cold(tmp_path, runtime_python):
    functions = pool(tmp_path, runtime_python, timeout=1)
    try:
        warm = functions.invoke({})
        started = time.monotonic()
        timed_out = functions.invoke({"sleep": 5})
        waited = time.monotonic() - started
        after = functions.invoke({})
    finally:
        functions.close()
    assert timed_out.status == "timeout" and "Task timed out after 1.00 seconds" in timed_out.error["errorMessage"]
    assert waited < 3
    assert after.status == "ok" and after.cold_start and after.payload["pid"] != warm.payload["pid"]


@pytest.mark.parametrize("module", ["module_not_in_the_zip", "moto", "pydantic", "generator"],
                         ids=["missing", "dev venv: moto", "dev venv: pydantic", "the generator itself"])
def test_a_module_the_zip_lacks_fails_as_on_lambda(tmp_path, runtime_python, module):
    functions = pool(tmp_path, runtime_python, handler=f"import {module}\n\ndef lambda_handler(e, c):\n    return 1\n")
    try:
        outcome = functions.invoke({})
    finally:
        functions.close()
    assert outcome.failed
    assert outcome.error["errorType"] == "Runtime.ImportModuleError", outcome.error
    assert module in outcome.error["errorMessage"]


def test_reserved_concurrency_makes_an_invocation_wait_for_a_free_environment(tmp_path, runtime_python):
    import threading

    functions = pool(tmp_path, runtime_python, reserved=1, timeout=3)
    outcomes = []
    try:
        functions.invoke({})  # warm one environment
        threads = [threading.Thread(target=lambda: outcomes.append(functions.invoke({"sleep": 1.5}))) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        functions.close()
    assert sorted(outcome.status for outcome in outcomes) == ["ok", "ok"]  # the second waited for the slot


class FakeSts:
    """What the emulator's STS answers AssumeRole with: credentials lasting `lasting`."""

    def __init__(self, lasting: dt.timedelta):
        self.lasting = lasting
        self.calls: list[dict] = []

    def assume_role(self, **request):
        self.calls.append(request)
        n = len(self.calls)
        return {"Credentials": {"AccessKeyId": f"ASIA{n}", "SecretAccessKey": "s", "SessionToken": f"t{n}",
                                "Expiration": dt.datetime.now(dt.UTC) + self.lasting}}


def test_role_credentials_are_assumed_as_the_function_and_reused_until_near_expiry():
    sts = FakeSts(dt.timedelta(hours=1))
    role = RoleCredentials(lambda: sts, "arn:aws:iam::123456789012:role/fn-role", "fn")
    assert role.current() == role.current()
    assert sts.calls == [{"RoleArn": "arn:aws:iam::123456789012:role/fn-role", "RoleSessionName": "fn",
                          "DurationSeconds": 3600}]
    soon = FakeSts(dt.timedelta(minutes=10))  # inside botocore's 15-minute refresh window: assumed again
    role = RoleCredentials(lambda: soon, "arn:aws:iam::123456789012:role/fn-role", "fn")
    assert role.current().access_key != role.current().access_key


def test_a_role_session_refreshes_its_credentials_through_botocore():
    sts = FakeSts(dt.timedelta(minutes=10))
    session = RoleCredentials(lambda: sts, "arn:aws:iam::123456789012:role/fn-role", "fn").session("us-east-1")
    first = session.get_credentials().get_frozen_credentials().access_key
    second = session.get_credentials().get_frozen_credentials().access_key
    assert first != second and len(sts.calls) >= 2


LOGGING_HANDLER = '''
def lambda_handler(event, context):
    print("handling", len(event.get("Records", [])))
    print("second line")
    return {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
'''


def test_every_line_is_a_record_with_its_request_id_and_message_ids_framed_by_start_end_report(tmp_path,
                                                                                                runtime_python):
    from generator.local.lambda_service.events import delivered_message, sqs_event, sqs_record
    from generator.local.state import LogRecord

    shipped: list[LogRecord] = []
    task_root = tmp_path / "task"
    task_root.mkdir()
    (task_root / "handler.py").write_text(LOGGING_HANDLER, encoding="utf-8")
    function = config()
    functions = Pool(function, task_root, Runtime(python=runtime_python, runtime_env={}, logs_dir=tmp_path / "logs",
                                                  tmp_dir=tmp_path / "tmp", log_sink=shipped.append), {})
    arn = "arn:aws:sqs:us-east-1:123456789012:jobs"
    attributes = {"CorrelationId": {"DataType": "String", "StringValue": "job-1"}}
    records = [sqs_record(delivered_message(body, attributes, sender_id="local"), arn) for body in ("a", "b")]
    try:
        outcomes = [functions.invoke(sqs_event(records)) for _ in range(2)]
    finally:
        functions.close()
    lines = [LogRecord.from_json(json.loads(line))
             for line in (tmp_path / "logs" / "fn.log").read_text(encoding="utf-8").splitlines()]
    assert lines == shipped
    ids = tuple(record["messageId"] for record in records)
    for outcome in outcomes:
        own = [line for line in lines if line.request_id == outcome.request_id]
        assert [(line.stream, line.text.split(" RequestId")[0]) for line in own] == [
            ("platform", "START"), ("function", "handling 2"), ("function", "second line"), ("platform", "END"),
            ("platform", "REPORT")]
        assert all(line.message_ids == ids and line.correlation_ids == ("job-1",) for line in own)
        assert [message.queue for message in own[0].messages] == ["jobs", "jobs"]
        assert own[-1].outcome == "ok" and own[-1].failed_message_ids == (ids[0],)
        assert all(line.function == "fn" and "/[$LATEST]" in line.log_stream for line in own)


def test_a_debugged_environment_listens_for_the_editor_and_waits_before_the_runtime_starts(tmp_path,
                                                                                             runtime_python):
    """`up --debug`: debugpy listens on loopback and the handler does not start until a client attaches; a
    minimal Debug Adapter Protocol client gets its answer to `initialize`."""
    import socket

    from generator.local import debugging
    from generator.local.lambda_service.environments import Debugger

    found = interpreter.find_interpreter("python3.12")
    packages = debugging.debugpy_packages(ROOT, found, log=lambda message: None)
    port = debugging.free_port(0)
    task_root = tmp_path / "task"
    task_root.mkdir()
    (task_root / "handler.py").write_text(HANDLER, encoding="utf-8")
    function = config()
    functions = Pool(function, task_root, Runtime(python=runtime_python, runtime_env={}, logs_dir=tmp_path / "logs",
                                                  tmp_dir=tmp_path / "tmp", debug=Debugger(port, packages)), {})
    try:
        functions.prewarm()
        [worker] = functions._idle
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "debugpy did not listen"
                assert worker.alive(), (tmp_path / "logs" / "fn.log").read_text(encoding="utf-8")
                time.sleep(0.2)
        with connection:
            time.sleep(1)
            assert worker.alive() and not worker.api.ready.is_set()  # waiting: the runtime has not asked for work
            request = json.dumps({"seq": 1, "type": "request", "command": "initialize",
                                  "arguments": {"adapterID": "test", "clientID": "test"}}).encode()
            connection.sendall(b"Content-Length: %d\r\n\r\n" % len(request) + request)
            answer = _dap_message(connection)
        assert (answer["type"], answer["command"], answer["success"]) == ("response", "initialize", True)
    finally:
        functions.close()


def _dap_message(connection) -> dict:
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(4096)
    header, _, rest = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in header.split(b"\r\n") if line.startswith(b"Content-Length")))
    while len(rest) < length:
        rest += connection.recv(4096)
    message = json.loads(rest[:length])
    if message.get("type") == "event":  # debugpy may announce itself first: read on
        return _dap_message_after(connection, rest[length:])
    return message


def _dap_message_after(connection, buffered: bytes) -> dict:
    class Buffered:
        def __init__(self, data: bytes):
            self.data = data

        def recv(self, size: int) -> bytes:
            if self.data:
                chunk, self.data = self.data, b""
                return chunk
            return connection.recv(size)

    return _dap_message(Buffered(buffered))
