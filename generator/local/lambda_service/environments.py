"""Execution environments: each function runs from its unpacked zip in processes of its own, on the Python of
its runtime, with the environment the emulator reports for it (plus the stack's local settings).

One process is one execution environment, as in Lambda: it serves one invocation at a time, stays warm between
invocations, and is replaced (a cold start) after a timeout or a crash.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.local.lambda_service.batch_response import InvalidBatchResponse, failed_message_ids
from generator.local.lambda_service.credentials import Credentials
from generator.local.lambda_service.function_logs import FunctionLog, InvocationContext, Pump, Sink, messages_of
from generator.local.lambda_service.runtime_api import ErrorDocument, Invocation, RuntimeApi

if TYPE_CHECKING:
    from collections.abc import Callable

    from types_boto3_lambda.type_defs import FunctionConfigurationResponseTypeDef

INIT_TIMEOUT_S = 10  # Lambda's init phase limit for on-demand functions
# An environment is replaced when its role credentials would expire within an invocation (plus this margin).
CREDENTIALS_MARGIN_S = 60


@dataclass(frozen=True)
class FunctionConfig:
    name: str
    arn: str
    role: str  # the execution role's ARN: its credentials sign the function's calls (credentials.py)
    region: str
    runtime: str
    handler: str
    timeout: int
    memory_size: int
    environment: dict[str, str]
    log_group: str
    log_format: str
    application_log_level: str | None
    code_sha256: str
    reserved_concurrency: int | None
    version: str = "$LATEST"  # the published version this configuration is (what an alias resolved to)

    @classmethod
    def from_emulator(cls, configuration: FunctionConfigurationResponseTypeDef,
                      reserved_concurrency: int | None) -> FunctionConfig:
        logging = configuration.get("LoggingConfig") or {}
        return cls(
            name=configuration["FunctionName"],
            arn=configuration["FunctionArn"],
            role=configuration["Role"],
            region=configuration["FunctionArn"].split(":")[3],
            runtime=configuration["Runtime"],
            handler=configuration["Handler"],
            timeout=int(configuration["Timeout"]),
            memory_size=int(configuration["MemorySize"]),
            environment=dict((configuration.get("Environment") or {}).get("Variables") or {}),
            log_group=logging.get("LogGroup") or f"/aws/lambda/{configuration['FunctionName']}",
            log_format=logging.get("LogFormat") or "Text",
            application_log_level=logging.get("ApplicationLogLevel"),
            code_sha256=configuration["CodeSha256"],
            reserved_concurrency=reserved_concurrency,
            version=configuration.get("Version") or "$LATEST",
        )


@dataclass(frozen=True)
class InvocationOutcome:
    status: str  # "ok" | "error" | "timeout" | "crash"
    payload: object = None  # the handler's return value (decoded JSON) when ok
    error: ErrorDocument | None = None
    duration_ms: float = 0.0
    cold_start: bool = False
    request_id: str = ""

    @property
    def failed(self) -> bool:
        return self.status != "ok"


@dataclass(frozen=True)
class Runtime:
    """How to start a function's process: the runtime virtualenv's python, the stack's environment additions."""

    python: Path
    runtime_env: dict[str, str]  # endpoint, fake credentials, the stack marker, local-only settings resolver
    logs_dir: Path
    tmp_dir: Path
    log_sink: Sink | None = None  # each log record also goes there (the CloudWatch Logs shipper); must not block
    debug: Debugger | None = None  # run the environment under debugpy (`up --debug FUNCTION`)


@dataclass(frozen=True)
class Debugger:
    """debugpy for one function's environment: listening on 127.0.0.1:port, waiting for the editor to attach."""

    port: int
    packages: Path  # where debugpy is installed for the runtime's Python (build/lambda-debug/…)

    def command(self, python: Path, handler: str) -> list[str]:
        # frozen_modules=off: debugpy may miss breakpoints in frozen standard modules otherwise (it says so)
        return [str(python), "-s", "-u", "-X", "frozen_modules=off", "-m", "debugpy", "--listen",
                f"127.0.0.1:{self.port}", "--wait-for-client", "-m", "awslambdaric", handler]


class Worker:
    """One execution environment of one function."""

    def __init__(self, function: FunctionConfig, task_root: Path, runtime: Runtime, environment: dict[str, str],
                 credentials: Credentials | None = None, log: FunctionLog | None = None):
        self.function = function
        self.credentials = credentials
        self.api = RuntimeApi()
        self.started = time.monotonic()
        tmp = runtime.tmp_dir / function.name / uuid.uuid4().hex[:8]
        tmp.mkdir(parents=True, exist_ok=True)
        stream = f"{dt.datetime.now(dt.UTC):%Y/%m/%d}/[{function.version}]{uuid.uuid4().hex}"
        env = {
            "PATH": f"{runtime.python.parent}:/usr/local/bin:/usr/bin:/bin",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "TMPDIR": str(tmp),
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": str(runtime.python.parent.parent),
            "_HANDLER": function.handler,
            "AWS_LAMBDA_RUNTIME_API": self.api.address,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_VERSION": function.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": function.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": function.region,
            "AWS_DEFAULT_REGION": function.region,
            **({"AWS_LAMBDA_LOG_FORMAT": function.log_format} if function.log_format == "JSON" else {}),
            **({"AWS_LAMBDA_LOG_LEVEL": function.application_log_level} if function.application_log_level else {}),
            **environment,
            **runtime.runtime_env,
            **(credentials.environment() if credentials else {}),  # the role's, as Lambda sets them
        }
        command = [str(runtime.python), "-s", "-u", "-m", "awslambdaric", function.handler]  # -u: as Lambda's bootstrap
        if runtime.debug is not None:
            command = runtime.debug.command(runtime.python, function.handler)
            env["PYTHONPATH"] = str(runtime.debug.packages)
        self.process = subprocess.Popen(
            command, cwd=task_root, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a timeout kills the whole environment (ffmpeg children included)
        )  # fmt: skip
        assert self.process.stdout is not None
        self.log = log or FunctionLog(function.name, runtime.logs_dir, runtime.log_sink)
        self.pump = Pump(self.process.stdout.fileno(), self.log, stream)
        self.invocations = 0

    def alive(self) -> bool:
        return self.process.poll() is None

    def credentials_last(self, seconds: float) -> bool:
        """Whether its role credentials stay valid for an invocation of this length."""
        return self.credentials is None or self.credentials.valid_for(seconds + CREDENTIALS_MARGIN_S)

    def invoke(self, event: object, timeout_s: float) -> InvocationOutcome:
        """One invocation, its log lines framed by START / END / REPORT and tagged with its request id."""
        invocation = Invocation(payload=json.dumps(event).encode(), deadline_ms=0, function_arn=self.function.arn)
        context = InvocationContext(invocation.request_id, messages_of(event), self.function.version)
        self.pump.begin(context)
        outcome = dataclasses.replace(self._invoke(invocation, timeout_s), request_id=invocation.request_id)
        failed: tuple[str, ...] = ()
        if context.messages:
            ids = set(context.message_ids)
            try:
                failed = tuple(sorted(ids if outcome.failed else failed_message_ids(outcome.payload, ids)))
            except InvalidBatchResponse:
                failed = tuple(sorted(ids))
        self.pump.end(duration_ms=outcome.duration_ms, outcome=outcome.status, failed=failed,
                      memory_mb=self.function.memory_size)
        return outcome

    def _invoke(self, invocation: Invocation, timeout_s: float) -> InvocationOutcome:
        cold = self.invocations == 0
        self.invocations += 1
        if cold and not self._wait_until_ready(max(INIT_TIMEOUT_S, timeout_s)):
            return InvocationOutcome("crash" if not self.alive() else "timeout", error=self._init_failure(),
                                     cold_start=True)
        started = time.monotonic()
        invocation.deadline_ms = int(time.time() * 1000 + timeout_s * 1000)
        self.api.submit(invocation)
        deadline = started + timeout_s
        while not invocation.done.wait(0.05):
            if not self.alive():
                return InvocationOutcome("crash", error=_crash(self.process.returncode), cold_start=cold,
                               duration_ms=(time.monotonic() - started) * 1000)
            if time.monotonic() > deadline:
                self.kill()
                return InvocationOutcome("timeout", cold_start=cold, duration_ms=timeout_s * 1000, error={
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": f"Task timed out after {timeout_s:.2f} seconds",
                })
        duration = (time.monotonic() - started) * 1000
        if invocation.error is not None:
            return InvocationOutcome("error", error=invocation.error, duration_ms=duration, cold_start=cold)
        try:
            payload = json.loads(invocation.response or b"null")
        except ValueError:
            payload = (invocation.response or b"").decode("utf-8", "replace")
        return InvocationOutcome("ok", payload=payload, duration_ms=duration, cold_start=cold)

    def _wait_until_ready(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.api.ready.wait(0.05):
                return self.api.init_error is None
            if not self.alive():
                return False
        self.kill()
        return False

    def _init_failure(self) -> ErrorDocument:
        if self.api.init_error:
            return self.api.init_error
        if not self.alive():
            return _crash(self.process.returncode)
        return {"errorType": "Runtime.InitTimeout", "errorMessage": "the function did not finish initialising"}

    def kill(self) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        self.api.close()
        self.pump.join(timeout=1)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _crash(returncode: int | None) -> ErrorDocument:
    return {"errorType": "Runtime.ExitError", "errorMessage": f"RequestId: the runtime exited with {returncode}"}


class Pool:
    """A function's warm execution environments; at most `limit` at once (reserved concurrency, if any)."""

    def __init__(self, function: FunctionConfig, task_root: Path, runtime: Runtime, environment: dict[str, str],
                 credentials: Callable[[], Credentials] | None = None):
        self.function = function
        self._credentials = credentials
        self._task_root = task_root
        self._runtime = runtime
        self._environment = environment
        self._log = FunctionLog(function.name, runtime.logs_dir, runtime.log_sink)
        self._idle: list[Worker] = []
        self._lock = threading.Lock()
        self._all: list[Worker] = []
        self._retired = False
        limit = function.reserved_concurrency
        self._slots = threading.BoundedSemaphore(limit) if limit else None

    def invoke(self, event: object) -> InvocationOutcome:
        if self._slots is not None and not self._slots.acquire(timeout=self.function.timeout):
            return InvocationOutcome("error", error={"errorType": "TooManyRequestsException",
                                           "errorMessage": "Rate Exceeded (reserved concurrency)"})
        try:
            worker = self._acquire()
            outcome = worker.invoke(event, self.function.timeout)
            self._release(worker)
            return outcome
        finally:
            if self._slots is not None:
                self._slots.release()

    def prewarm(self) -> None:
        """Start an environment now, before any invocation (a debugged one: the editor can attach at once)."""
        with self._lock:
            credentials = self._credentials() if self._credentials else None
            worker = Worker(self.function, self._task_root, self._runtime, self._environment, credentials,
                            self._log)
            self._all.append(worker)
            self._idle.append(worker)

    def _acquire(self) -> Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive() and worker.credentials_last(self.function.timeout):
                    return worker
                worker.kill()  # crashed, or its credentials expire soon: a new environment gets fresh ones
                self._all.remove(worker)
            credentials = self._credentials() if self._credentials else None
            worker = Worker(self.function, self._task_root, self._runtime, self._environment, credentials,
                            self._log)
            self._all.append(worker)
            return worker

    def _release(self, worker: Worker) -> None:
        with self._lock:
            if worker.alive() and not self._retired:
                self._idle.append(worker)
            else:
                worker.kill()
                self._all.remove(worker)

    def retire(self) -> None:
        """Stop using this code without cutting an invocation short: idle environments stop now, busy ones when
        their invocation returns (what invokes next gets another pool)."""
        with self._lock:
            self._retired = True
            for worker in self._idle:
                worker.kill()
                self._all.remove(worker)
            self._idle.clear()

    def close(self) -> None:
        with self._lock:
            for worker in self._all:
                worker.kill()
            self._all.clear()
            self._idle.clear()
