"""The local Lambda service: runs every enabled event source mapping and every function URL the apply created.

    python -m generator.local.lambda_service STATE_DIR   # started (detached) by `up`; reads runner-config.json

What it runs is read back from the emulator (ListFunctions, ListEventSourceMappings, ListFunctionUrlConfigs),
never from queues.toml, and re-read every REFRESH_SECONDS: a mapping disabled through the API (the rollback
command) stops being polled within that time. Each function runs from the zip whose CodeSha256 the emulator
reports, unpacked, on the runtime's Python (environments.py). Lambda's own metrics (Invocations, Errors,
Throttles, Duration) are published to the emulator's CloudWatch, as Lambda publishes them, and every function's
log lines to its CloudWatch Logs group (function_logs.py, cloudwatch_logs.py). The Lambda Invoke API on loopback
(invoke_endpoint.py, `python -m generator invoke`) runs one invocation in the same environments.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import os
import signal
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from botocore.config import Config

from generator.local.lambda_service import interpreter
from generator.local.lambda_service.cloudwatch_logs import LogShipper
from generator.local.lambda_service.environments import Debugger, FunctionConfig, InvocationOutcome, Pool, Runtime
from generator.local.lambda_service.http_endpoints import FunctionUrl, MediaServer, json_line
from generator.local.lambda_service.invoke_endpoint import InvokeEndpoint
from generator.local.lambda_service.local_settings import endpoint_environment, with_local_settings
from generator.local.lambda_service.poller import BatchResult, MappingConfig, MappingPoller
from generator.local.state import LogRecord, RunnerConfig, RunnerRecord, local_session

if TYPE_CHECKING:
    from types_boto3_cloudwatch import CloudWatchClient
    from types_boto3_cloudwatch.type_defs import DimensionTypeDef, MetricDatumTypeDef
    from types_boto3_lambda import LambdaClient
    from types_boto3_lambda.type_defs import GetFunctionUrlConfigResponseTypeDef
    from types_boto3_logs import CloudWatchLogsClient
    from types_boto3_sqs import SQSClient

REFRESH_SECONDS = 2


class Runner:
    def __init__(self, state_dir: Path, config: RunnerConfig):
        self.state_dir = state_dir
        self.config = config
        self.endpoint = config.endpoint
        self.region = config.region
        self.retry_delay = config.retry_delay
        self.build_zips = Path(config.zip_dir)
        self.runtimes = {name: Path(python) for name, python in config.runtimes.items()}
        self._session = local_session(self.region)
        self._client_config = Config(retries={"mode": "standard", "max_attempts": 5}, read_timeout=60)
        self._log = open(state_dir / "runner.log", "a", buffering=1, encoding="utf-8")  # noqa: SIM115
        self._log_lock = threading.Lock()
        self.pools: dict[str, Pool] = {}
        self.code: dict[str, str] = {}  # function name → CodeSha256 its pool runs
        self.pollers: dict[str, MappingPoller] = {}
        self.urls: dict[str, FunctionUrl] = {}
        self.local_settings: dict[str, list[str]] = {}
        self._metrics: list[MetricDatumTypeDef] = []
        self._metrics_lock = threading.Lock()
        self._stopped = threading.Event()
        self.media = MediaServer(state_dir / "media", config.ports.get("media", 0))
        self.debug = config.debug
        self.debug_task_root = ""
        self.shipper = LogShipper(lambda: self.client("logs"), self.log)  # the lines to CloudWatch Logs
        self.invoke_endpoint = InvokeEndpoint(self.invoke, lambda name: name in self.pools, self._lines_of)

    @overload
    def client(self, service: Literal["lambda"]) -> LambdaClient: ...
    @overload
    def client(self, service: Literal["sqs"]) -> SQSClient: ...
    @overload
    def client(self, service: Literal["cloudwatch"]) -> CloudWatchClient: ...
    @overload
    def client(self, service: Literal["logs"]) -> CloudWatchLogsClient: ...
    def client(self, service: Literal["lambda", "sqs", "cloudwatch", "logs"]
               ) -> LambdaClient | SQSClient | CloudWatchClient | CloudWatchLogsClient:
        return self._session.client(service, endpoint_url=self.endpoint, config=self._client_config)

    def log(self, record: Mapping[str, object]) -> None:
        line = json_line({"time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), **record})
        with self._log_lock:
            self._log.write(line + "\n")

    # ── discovery ──────────────────────────────────────────────────────────────────────────────────────────

    def refresh(self) -> None:
        lambda_ = self.client("lambda")
        functions = {}
        for page in lambda_.get_paginator("list_functions").paginate():
            for summary in page["Functions"]:
                configuration = lambda_.get_function_configuration(FunctionName=summary["FunctionName"])
                concurrency = lambda_.get_function_concurrency(FunctionName=summary["FunctionName"])
                functions[summary["FunctionName"]] = self._debugged(FunctionConfig.from_emulator(
                    configuration, concurrency.get("ReservedConcurrentExecutions")
                ))
        for name, function in functions.items():
            if self.code.get(name) != function.code_sha256 or name not in self.pools:
                self._replace_pool(function)
        for name in set(self.pools) - set(functions):
            self.pools.pop(name).close()
            self.code.pop(name, None)
        self._refresh_urls(lambda_, functions)
        self._refresh_mappings(lambda_)

    def _debugged(self, function: FunctionConfig) -> FunctionConfig:
        """The function as it runs while debugged: one environment (one debugpy port), the raised timeout."""
        if self.debug is None or self.debug.function != function.name:
            return function
        return dataclasses.replace(function, timeout=self.debug.timeout, reserved_concurrency=1)

    def _replace_pool(self, function: FunctionConfig) -> None:
        zip_path = self._zip_for(function)
        task_root = interpreter.unpack(
            zip_path, self.state_dir / "functions" / function.name / function.code_sha256.replace("/", "_")[:16]
        )
        python = self.runtimes.get(function.runtime) or Path(sys.executable)
        environment, applied = with_local_settings(function.environment, self.config.local_settings)
        self.local_settings[function.name] = applied
        old = self.pools.get(function.name)
        debugged = self.debug is not None and self.debug.function == function.name
        self.pools[function.name] = Pool(function, task_root, Runtime(
            python=python,
            runtime_env=endpoint_environment(self.endpoint, str(self.state_dir)),
            logs_dir=self.state_dir / "logs",
            tmp_dir=self.state_dir / "tmp",
            log_sink=self.shipper.sink(function.log_group),
            debug=Debugger(self.debug.port, Path(self.debug.packages)) if self.debug and debugged else None,
        ), environment)
        self.code[function.name] = function.code_sha256
        if debugged:  # one debugger port: the previous environment lets go of it before the new one listens
            if old is not None:
                old.close()
                old = None
            self.debug_task_root = str(task_root)
            self.pools[function.name].prewarm()
        self.log({"event": "function-ready", "function": function.name, "zip": str(zip_path),
                  "code_sha256": function.code_sha256, "local_settings": applied})
        if old is not None:
            old.close()

    def _zip_for(self, function: FunctionConfig) -> Path:
        """The built zip the emulator runs (matched by CodeSha256, so what runs is what was deployed)."""
        for candidate in sorted(self.build_zips.glob("*.zip")):
            if interpreter.code_sha256(candidate) == function.code_sha256:
                return candidate
        raise interpreter.LocalRuntimeError(
            f"no zip in {self.build_zips} has the code the emulator deployed for {function.name} "
            f"(CodeSha256 {function.code_sha256}): run `make up` again"
        )

    def _refresh_urls(self, lambda_: LambdaClient, functions: dict[str, FunctionConfig]) -> None:
        wanted: dict[str, tuple[GetFunctionUrlConfigResponseTypeDef, FunctionConfig]] = {}
        for name, function in functions.items():
            try:  # (moto has no ListFunctionUrlConfigs; GetFunctionUrlConfig answers the same question)
                wanted[name] = (lambda_.get_function_url_config(FunctionName=name), function)
            except lambda_.exceptions.ResourceNotFoundException:
                continue
        for name in set(self.urls) - set(wanted):
            self.urls.pop(name).close()
        for name, (url_config, function) in wanted.items():
            if name not in self.urls or self.urls[name].auth_type != url_config["AuthType"]:
                if name in self.urls:
                    self.urls.pop(name).close()
                url_id = url_config["FunctionUrl"].split("//", 1)[-1].split(".", 1)[0]
                self.urls[name] = FunctionUrl(
                    function=name, auth_type=url_config["AuthType"], url_id=url_id,
                    account_id=function.arn.split(":")[4], region=function.region,
                    invoke=functools.partial(self.invoke, name), log=self.log,
                    port=self.config.ports.get(name, 0),
                )

    def _refresh_mappings(self, lambda_: LambdaClient) -> None:
        sqs = self.client("sqs")
        seen = set()
        for page in lambda_.get_paginator("list_event_source_mappings").paginate():
            for raw in page["EventSourceMappings"]:
                if not raw["EventSourceArn"].startswith("arn:aws:sqs:"):
                    continue
                queue_name = raw["EventSourceArn"].split(":")[5]
                queue_url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
                mapping = MappingConfig.from_emulator(raw, queue_url)
                seen.add(mapping.uuid)
                current = self.pollers.get(mapping.uuid)
                if current is not None and current.mapping == mapping:
                    continue
                if current is not None:
                    self.pollers.pop(mapping.uuid).stop(wait=False)
                    self.log({"event": "mapping-stopped", "mapping": mapping.uuid, "function": mapping.function_name})
                if mapping.enabled:
                    poller = MappingPoller(
                        mapping, invoke=functools.partial(self.invoke, mapping.function_name),
                        sqs_factory=lambda: self.client("sqs"), report=self._batch_done, retry_delay=self.retry_delay,
                        hold_visibility=(self.debug.visibility if self.debug is not None
                                         and self.debug.function == mapping.function_name else None),
                    )
                    self.pollers[mapping.uuid] = poller
                    poller.start()
                    self.log({"event": "mapping-polling", "mapping": mapping.uuid, "function": mapping.function_name,
                              "queue": queue_name, "batch_size": mapping.batch_size,
                              "window": mapping.batching_window, "concurrency": mapping.concurrency})
        for uuid in set(self.pollers) - seen:
            self.pollers.pop(uuid).stop(wait=False)

    # ── invoking ───────────────────────────────────────────────────────────────────────────────────────────

    def invoke(self, function: str, event: object) -> InvocationOutcome:
        pool = self.pools[function]
        outcome = pool.invoke(event)
        self._record_metrics(function, outcome)
        if outcome.failed:
            self.log({"event": "invocation-failed", "function": function, "outcome": outcome.status,
                      "error": outcome.error})
        return outcome

    def _lines_of(self, function: str, request_id: str) -> list[str]:
        """An invocation's lines, as they go to CloudWatch Logs (for the Invoke API's LogType Tail)."""
        path = self.state_dir / "logs" / f"{function}.log"
        found = []
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if request_id in line:
                    record = LogRecord.from_json(json.loads(line))
                    if record.request_id == request_id:
                        found.append(record.text)
        return found

    def _batch_done(self, result: BatchResult) -> None:
        self.log({"event": "batch", **result.__dict__})

    def _record_metrics(self, function: str, outcome: InvocationOutcome) -> None:
        now = dt.datetime.now(dt.UTC)
        dimensions: list[DimensionTypeDef] = [{"Name": "FunctionName", "Value": function}]
        throttled = (outcome.error or {}).get("errorType") == "TooManyRequestsException"
        data: list[MetricDatumTypeDef] = [
            {"MetricName": "Invocations", "Value": 0 if throttled else 1, "Unit": "Count"},
            {"MetricName": "Errors", "Value": 1 if outcome.failed and not throttled else 0, "Unit": "Count"},
            {"MetricName": "Throttles", "Value": 1 if throttled else 0, "Unit": "Count"},
        ]
        if not throttled:
            data.append({"MetricName": "Duration", "Value": outcome.duration_ms, "Unit": "Milliseconds"})
        with self._metrics_lock:
            self._metrics.extend({**datum, "Dimensions": dimensions, "Timestamp": now} for datum in data)

    def _publish_metrics(self) -> None:
        cloudwatch = self.client("cloudwatch")
        while not self._stopped.wait(5):
            with self._metrics_lock:
                batch, self._metrics = self._metrics, []
            for start in range(0, len(batch), 500):
                try:
                    cloudwatch.put_metric_data(Namespace="AWS/Lambda", MetricData=batch[start:start + 500])
                except Exception as error:  # metrics are best effort; the next batch tries again
                    self.log({"event": "metrics-error", "error": str(error)})

    # ── lifecycle ──────────────────────────────────────────────────────────────────────────────────────────

    def record(self, ready: bool) -> None:
        RunnerRecord(
            pid=os.getpid(),
            ready=ready,
            function_urls={name: server.url for name, server in sorted(self.urls.items())},
            media_url=self.media.url,
            mappings={uuid: poller.mapping.function_name for uuid, poller in sorted(self.pollers.items())},
            local_settings=self.local_settings,
            retry_delay=self.retry_delay,
            invoke_endpoint=self.invoke_endpoint.url,
            debug_address=f"127.0.0.1:{self.debug.port}" if self.debug is not None else "",
            debug_task_root=self.debug_task_root,
        ).write(self.state_dir)

    def serve(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: self._stopped.set())
        signal.signal(signal.SIGINT, lambda *_: self._stopped.set())
        self.shipper.start()
        self.refresh()
        self.record(ready=True)
        threading.Thread(target=self._publish_metrics, daemon=True).start()
        while not self._stopped.wait(REFRESH_SECONDS):
            try:
                before = (sorted(self.pollers), sorted(self.urls))
                self.refresh()
                if before != (sorted(self.pollers), sorted(self.urls)):
                    self.record(ready=True)
            except Exception as error:  # keep serving what runs; say why the refresh failed
                self.log({"event": "refresh-error", "error": f"{type(error).__name__}: {error}"})
        self.shutdown()

    def shutdown(self) -> None:
        for poller in self.pollers.values():
            poller.stop(wait=False)
        for server in self.urls.values():
            server.close()
        for pool in self.pools.values():
            pool.close()
        self.media.close()
        self.invoke_endpoint.close()
        self.shipper.stop()


def main(state_dir: Path) -> None:
    Runner(state_dir, RunnerConfig.read(state_dir)).serve()
