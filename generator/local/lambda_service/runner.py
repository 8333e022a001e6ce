"""The local Lambda service: runs every enabled event source mapping and every function URL the apply created.

    python -m generator.local.lambda_service STATE_DIR   # started (detached) by `up`; reads runner-config.json

What it runs is read back from the emulator (ListFunctions, ListEventSourceMappings, ListFunctionUrlConfigs),
never from queues.toml, and re-read every REFRESH_SECONDS: a mapping disabled through the API (the rollback
command) stops being polled within that time. A mapping still settling (Creating, Updating, Enabling,
Disabling) is left as it runs until it is Enabled or Disabled: a new one is polled once Enabled, as on AWS.
Each function runs from the zip whose CodeSha256 the emulator reports, unpacked, on the runtime's Python
(environments.py). Lambda's own metrics (Invocations, Errors, Throttles, Duration) are published to the
emulator's CloudWatch, as Lambda publishes them, and every function's log lines to its CloudWatch Logs group
(function_logs.py, cloudwatch_logs.py). The Lambda Invoke API on loopback (invoke_endpoint.py, `python -m
generator invoke`) runs one invocation in the same environments.
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
from generator.local.lambda_service.credentials import RoleCredentials
from generator.local.lambda_service.environments import Debugger, FunctionConfig, InvocationOutcome, Pool, Runtime
from generator.local.lambda_service.http_endpoints import FunctionUrl, MediaServer, json_line
from generator.local.lambda_service.invoke_endpoint import InvokeEndpoint
from generator.local.lambda_service.local_settings import endpoint_environment, with_local_settings
from generator.local.lambda_service.poller import SETTLING_STATES, BatchResult, MappingConfig, MappingPoller
from generator.local.state import LogRecord, RunnerConfig, RunnerRecord, local_session
from generator.naming import LIVE_ALIAS

if TYPE_CHECKING:
    import boto3
    from types_boto3_cloudwatch import CloudWatchClient
    from types_boto3_cloudwatch.type_defs import DimensionTypeDef, MetricDatumTypeDef
    from types_boto3_lambda import LambdaClient
    from types_boto3_lambda.type_defs import FunctionConfigurationTypeDef, GetFunctionUrlConfigResponseTypeDef

    UrlConfig = GetFunctionUrlConfigResponseTypeDef
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
        self.pools: dict[tuple[str, str], Pool] = {}  # (function name, version) → its execution environments
        self.code: dict[tuple[str, str], str] = {}  # (function name, version) → CodeSha256 its pool runs
        self.aliases: dict[str, dict[str, str]] = {}  # function name → alias → the version it points at
        self._url_qualifiers: dict[str, str | None] = {}
        self.pollers: dict[str, MappingPoller] = {}
        self.urls: dict[str, FunctionUrl] = {}
        self.local_settings: dict[str, list[str]] = {}
        self.roles: dict[str, RoleCredentials] = {}  # function name → its execution role's credentials
        self._role_sessions: dict[str, boto3.session.Session] = {}
        self._metrics: list[MetricDatumTypeDef] = []
        self._metrics_lock = threading.Lock()
        self._stopped = threading.Event()
        self._wake = threading.Event()  # SIGUSR1 (the reloader): look at the emulator now
        self.media = MediaServer(state_dir / "media", config.ports.get("media", 0))
        self.debug = config.debug
        self.debug_task_root = ""
        self.shipper = LogShipper(lambda: self.client("logs"), self.log)  # the lines to CloudWatch Logs
        self.invoke_endpoint = InvokeEndpoint(self.invoke, lambda name: any(key[0] == name for key in self.pools),
                                              self._lines_of)

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

    def role_of(self, function: FunctionConfig) -> RoleCredentials:
        """The function's role credentials (assumed again when the function's role changes)."""
        current = self.roles.get(function.name)
        if current is None or current.role_arn != function.role:
            sts = functools.partial(self._session.client, "sts", endpoint_url=self.endpoint, config=self._client_config)
            current = RoleCredentials(sts, function.role, function.name)
            self.roles[function.name] = current
            self._role_sessions[function.name] = current.session(self.region)
        return current

    def sqs_as_role(self, function_name: str) -> SQSClient:
        """An SQS client signing with the function's role: the event source mapping polls with it, as on Lambda."""
        return self._role_sessions[function_name].client("sqs", endpoint_url=self.endpoint, config=self._client_config)

    def log(self, record: Mapping[str, object]) -> None:
        line = json_line({"time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), **record})
        with self._log_lock:
            self._log.write(line + "\n")

    # ── discovery ──────────────────────────────────────────────────────────────────────────────────────────

    def refresh(self) -> None:
        lambda_ = self.client("lambda")
        functions, aliases = {}, {}
        for page in lambda_.get_paginator("list_functions").paginate():
            for summary in page["Functions"]:
                name = summary["FunctionName"]
                functions[name] = summary
                aliases[name] = {alias["Name"]: alias["FunctionVersion"]
                                 for alias_page in lambda_.get_paginator("list_aliases").paginate(FunctionName=name)
                                 for alias in alias_page["Aliases"]}
        urls = self._url_configs(lambda_, functions, aliases)
        mappings, settling = self._mapping_configs(lambda_)
        # what runs: each version a mapping or a URL invokes (through its alias), and each function's live one
        wanted = {(name, _resolve(aliases.get(name, {}), qualifier))
                  for name, qualifier in [*((m.function_name, m.qualifier) for m in mappings),
                                          *((name, qualifier) for name, (qualifier, _) in urls.items()),
                                          *((name, LIVE_ALIAS) for name in functions),
                                          *((name, None) for name in functions)]  # Invoke without a qualifier
                  if name in functions}
        for name, version in sorted(wanted):
            configuration = lambda_.get_function_configuration(FunctionName=name, Qualifier=version)
            concurrency = lambda_.get_function_concurrency(FunctionName=name)
            function = self._debugged(FunctionConfig.from_emulator(
                configuration, concurrency.get("ReservedConcurrentExecutions")))
            role_changed = name in self.roles and self.roles[name].role_arn != function.role
            if self.code.get((name, version)) != function.code_sha256 or (name, version) not in self.pools \
                    or role_changed:
                self._replace_pool(function, version)
        self.aliases = aliases  # from here on, invocations through an alias reach the version it names now
        for key in set(self.pools) - wanted:
            self.pools.pop(key).retire()
            self.code.pop(key, None)
        self._refresh_urls(urls, functions)
        self._refresh_mappings(mappings, settling)

    def live_version(self, function: str) -> str:
        """The version invocations of the function's live alias (or, without one, of the function) run."""
        return _resolve(self.aliases.get(function, {}), LIVE_ALIAS)

    def _debugged(self, function: FunctionConfig) -> FunctionConfig:
        """The function as it runs while debugged: one environment (one debugpy port), the raised timeout."""
        if self.debug is None or self.debug.function != function.name:
            return function
        return dataclasses.replace(function, timeout=self.debug.timeout, reserved_concurrency=1)

    def _replace_pool(self, function: FunctionConfig, version: str) -> None:
        code_dir = self.state_dir / "functions" / function.name / function.code_sha256.replace("/", "_")[:16]
        task_root = code_dir if code_dir.is_dir() else interpreter.unpack(self._zip_for(function), code_dir)
        python = self.runtimes.get(function.runtime) or Path(sys.executable)
        environment, applied = with_local_settings(function.environment, self.config.local_settings)
        self.local_settings[function.name] = applied
        old = self.pools.get((function.name, version))
        debugged = self.debug is not None and self.debug.function == function.name
        self.pools[(function.name, version)] = Pool(function, task_root, Runtime(
            python=python,
            runtime_env=endpoint_environment(self.endpoint, str(self.state_dir)),
            logs_dir=self.state_dir / "logs",
            tmp_dir=self.state_dir / "tmp",
            log_sink=self.shipper.sink(function.log_group),
            debug=Debugger(self.debug.port, Path(self.debug.packages)) if self.debug and debugged else None,
        ), environment, credentials=self.role_of(function).current)
        self.code[(function.name, version)] = function.code_sha256
        if debugged:  # one debugger port: the previous environment lets go of it before the new one listens
            for key in [key for key in self.pools if key[0] == function.name and key != (function.name, version)]:
                self.pools.pop(key).close()
            if old is not None:
                old.close()
                old = None
            self.debug_task_root = str(task_root)
            self.pools[(function.name, version)].prewarm()
        self.log({"event": "function-ready", "function": function.name, "version": version,
                  "code_sha256": function.code_sha256, "local_settings": applied})
        if old is not None:
            old.retire()

    def _zip_for(self, function: FunctionConfig) -> Path:
        """The built zip the emulator runs (matched by CodeSha256, so what runs is what was deployed)."""
        for candidate in sorted(self.build_zips.glob("*.zip")):
            if interpreter.code_sha256(candidate) == function.code_sha256:
                return candidate
        raise interpreter.LocalRuntimeError(
            f"no zip in {self.build_zips} has the code the emulator deployed for {function.name} "
            f"(CodeSha256 {function.code_sha256}): run `make up` again"
        )

    def _url_configs(self, lambda_: LambdaClient, functions: Mapping[str, object],
                     aliases: Mapping[str, Mapping[str, str]]) -> dict[str, tuple[str | None, UrlConfig]]:
        """Each function's URL: function name → (the alias it is on, or None for the function itself; its config).
        (moto has no ListFunctionUrlConfigs; GetFunctionUrlConfig per qualifier answers the same question.)"""
        found: dict[str, tuple[str | None, UrlConfig]] = {}
        for name in functions:
            for qualifier in (None, *sorted(aliases.get(name, {}))):
                try:
                    config = (lambda_.get_function_url_config(FunctionName=name, Qualifier=qualifier) if qualifier
                              else lambda_.get_function_url_config(FunctionName=name))
                except lambda_.exceptions.ResourceNotFoundException:
                    continue
                found[name] = (qualifier, config)
        return found

    def _refresh_urls(self, urls: Mapping[str, tuple[str | None, UrlConfig]],
                      functions: Mapping[str, FunctionConfigurationTypeDef]) -> None:
        for name in set(self.urls) - set(urls):
            self.urls.pop(name).close()
        for name, (qualifier, url_config) in urls.items():
            current = self.urls.get(name)
            if current is None or (current.auth_type, self._url_qualifiers.get(name)) != (url_config["AuthType"],
                                                                                           qualifier):
                if current is not None:
                    self.urls.pop(name).close()
                url_id = url_config["FunctionUrl"].split("//", 1)[-1].split(".", 1)[0]
                arn = functions[name]["FunctionArn"]
                self.urls[name] = FunctionUrl(
                    function=name, auth_type=url_config["AuthType"], url_id=url_id,
                    account_id=arn.split(":")[4], region=arn.split(":")[3],
                    invoke=functools.partial(self.invoke, name, qualifier), log=self.log,
                    port=self.config.ports.get(name, 0),
                )
                self._url_qualifiers[name] = qualifier

    def _mapping_configs(self, lambda_: LambdaClient) -> tuple[list[MappingConfig], set[str]]:
        """The SQS mappings to run, and the UUIDs of those settling (Creating, Updating, …: left as they are)."""
        sqs = self.client("sqs")
        found, settling = [], set()
        for page in lambda_.get_paginator("list_event_source_mappings").paginate():
            for raw in page["EventSourceMappings"]:
                if not raw["EventSourceArn"].startswith("arn:aws:sqs:"):
                    continue
                if raw.get("State") in SETTLING_STATES:  # keep what runs (or not) until it is Enabled/Disabled
                    settling.add(raw["UUID"])
                    continue
                queue_url = sqs.get_queue_url(QueueName=raw["EventSourceArn"].split(":")[5])["QueueUrl"]
                found.append(MappingConfig.from_emulator(raw, queue_url))
        return found, settling

    def _refresh_mappings(self, mappings: list[MappingConfig], settling: set[str]) -> None:
        seen = set(settling)
        for mapping in mappings:
            seen.add(mapping.uuid)
            current = self.pollers.get(mapping.uuid)
            if current is not None and current.mapping == mapping:
                continue
            if current is not None:
                self.pollers.pop(mapping.uuid).stop(wait=False)
                self.log({"event": "mapping-stopped", "mapping": mapping.uuid, "function": mapping.function_name})
            if mapping.enabled:
                poller = MappingPoller(
                    mapping, invoke=functools.partial(self.invoke, mapping.function_name, mapping.qualifier),
                    sqs_factory=functools.partial(self.sqs_as_role, mapping.function_name),
                    report=self._batch_done, retry_delay=self.retry_delay,
                    local_sqs_factory=lambda: self.client("sqs"),
                    hold_visibility=(self.debug.visibility if self.debug is not None
                                     and self.debug.function == mapping.function_name else None),
                )
                self.pollers[mapping.uuid] = poller
                poller.start()
                self.log({"event": "mapping-polling", "mapping": mapping.uuid, "function": mapping.function_name,
                          "qualifier": mapping.qualifier, "queue": mapping.queue_arn.split(":")[5],
                          "batch_size": mapping.batch_size, "window": mapping.batching_window,
                          "concurrency": mapping.concurrency})
        for uuid in set(self.pollers) - seen:
            self.pollers.pop(uuid).stop(wait=False)

    # ── invoking ───────────────────────────────────────────────────────────────────────────────────────────

    def invoke(self, function: str, qualifier: str | None, event: object) -> InvocationOutcome:
        """One invocation of the version the qualifier names now (an alias is resolved per invocation, so a
        batch runs on one version and the next batch on the version the alias was moved to)."""
        pool = self.pools[(function, _resolve(self.aliases.get(function, {}), qualifier))]
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
            live_versions={name: self.live_version(name) for name in sorted(self.aliases)},
            local_settings=self.local_settings,
            retry_delay=self.retry_delay,
            invoke_endpoint=self.invoke_endpoint.url,
            debug_address=f"127.0.0.1:{self.debug.port}" if self.debug is not None else "",
            debug_task_root=self.debug_task_root,
        ).write(self.state_dir)

    def serve(self) -> None:
        def stop(*_: object) -> None:
            self._stopped.set()
            self._wake.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGUSR1, lambda *_: self._wake.set())
        self.shipper.start()
        self.refresh()
        self.record(ready=True)
        threading.Thread(target=self._publish_metrics, daemon=True).start()
        while not self._stopped.is_set():
            self._wake.wait(REFRESH_SECONDS)
            self._wake.clear()
            if self._stopped.is_set():
                break
            try:
                before = (sorted(self.pollers), sorted(self.urls), self.aliases)
                self.refresh()
                if before != (sorted(self.pollers), sorted(self.urls), self.aliases):
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


def _resolve(aliases: Mapping[str, str], qualifier: str | None) -> str:
    """The version a qualifier names: an alias's version, a version number itself, else $LATEST."""
    if qualifier is None or qualifier == "$LATEST":
        return "$LATEST"
    if qualifier.isdigit():
        return qualifier
    return aliases.get(qualifier, "$LATEST")


def main(state_dir: Path) -> None:
    Runner(state_dir, RunnerConfig.read(state_dir)).serve()
