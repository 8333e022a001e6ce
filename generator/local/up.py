"""`up` and `down`: the whole pipeline on this machine, and nothing of it left afterwards.

up:   emulator (started, or reused while it runs) → the generated Terraform applied to it → the runtime's Python
      and its libraries → the Lambda service (restarted, so it runs what was just applied) → the summary (the
      demo job, when the topology is the video pipeline, is local/commands.py's).
down: stops the Lambda service and the emulator by the pids they recorded, then every process that still carries
      the stack's marker, and removes .local/.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.local.apply import TerraformApply
from generator.local.emulator import server as emulator
from generator.local.lambda_service import interpreter
from generator.local.processes import (
    process_alive,
    stack_processes,
    start_background,
    stop_process_group,
    stop_recorded,
)
from generator.local.state import (
    DEFAULT_REGION,
    DebugSettings,
    EmulatorRecord,
    LocalError,
    LocalSetting,
    LocalState,
    RunnerConfig,
    RunnerRecord,
    running_emulator,
)
from generator.progress import Progress

RUNNER_READY_TIMEOUT = 120
LAMBDA_SERVICE = "generator.local.lambda_service"


class UpError(LocalError):
    pass


@dataclass
class UpResult:
    emulator: EmulatorRecord
    interpreters: list[interpreter.Interpreter]
    runner: RunnerRecord
    outputs: dict[str, Any]
    region: str
    reused_emulator: bool
    notes: list[str] = field(default_factory=list)


def up(root: Path, terraform_dir: Path, progress: Progress, *, retry_delay: int | None,
       local_settings: tuple[LocalSetting, ...] = (), debug: str | None = None) -> UpResult:
    state = LocalState(root)
    if not (terraform_dir / "outputs.tf").exists():
        raise UpError(f"{terraform_dir} has no generated configuration: run `make generate` first")
    running = running_emulator(state)
    if running is None:
        if state.dir.exists():
            progress("a previous stack is not running any more: clearing its state")
            down(root)
        progress("starting the emulator (moto server on 127.0.0.1, a free port)")
        running = emulator.start(state)
        progress(f"emulator ready at {running.endpoint} (log: {state.file('emulator.log')})")
        reused = False
    else:
        progress(f"emulator already running at {running.endpoint}: applying changes only")
        reused = True

    applied = TerraformApply(state, terraform_dir)
    applied.prepare(running.endpoint)
    progress("terraform init (provider from the local mirror or registry)")
    applied.init(progress)
    progress(f"terraform apply of the generated files in {terraform_dir}/ (unchanged) to the emulator")
    applied.apply(progress)
    outputs = applied.outputs()
    progress("apply complete")

    interpreters = []
    pythons = {}
    for name in sorted(_runtimes_in_use(state)):
        found = interpreter.find_interpreter(name)
        interpreters.append(found)
        progress(f"runtime {found.describe()}")
        pythons[name] = str(interpreter.runtime_virtualenv(root, found, progress))

    debugging = _debug_settings(root, state, debug, interpreters, progress) if debug else None
    previous = RunnerRecord.read(state)
    stop_runner(state)
    region = region_of(outputs)
    RunnerConfig(endpoint=running.endpoint, region=region, retry_delay=retry_delay,
                 zip_dir=str(root / "build" / "lambda"), runtimes=pythons, local_settings=local_settings,
                 ports=previous.ports() if previous else {}, debug=debugging).write(state)
    progress("starting the Lambda service (event source mappings, function URLs)")
    record = start_runner(state)
    progress(f"Lambda service ready: {len(record.mappings)} mappings polled, "
             f"{len(record.function_urls)} function URLs served")
    return UpResult(running, interpreters, record, outputs, region, reused)


def _runtimes_in_use(state: LocalState) -> set[str]:
    document = json.loads(state.file("terraform.tfstate").read_text(encoding="utf-8"))
    return {
        instance["attributes"]["runtime"]
        for resource in document.get("resources", [])
        if resource.get("type") == "aws_lambda_function"
        for instance in resource.get("instances", [])
    }


def _debug_settings(root: Path, state: LocalState, function: str, interpreters: list[interpreter.Interpreter],
                    progress: Progress) -> DebugSettings:
    """`up --debug FUNCTION`: debugpy for the function's runtime, and a port for it (generator/local/debugging.py)."""
    from generator.local import debugging

    runtimes = _function_runtimes(state)
    if function not in runtimes:
        raise UpError(f"--debug {function}: the applied configuration has no such function "
                      f"(functions: {', '.join(sorted(runtimes))})")
    found = next(i for i in interpreters if i.runtime == runtimes[function])
    packages = debugging.debugpy_packages(root, found, progress)
    return debugging.settings(function, packages, debugging.free_port())


def _function_runtimes(state: LocalState) -> dict[str, str]:
    document = json.loads(state.file("terraform.tfstate").read_text(encoding="utf-8"))
    return {
        instance["attributes"]["function_name"]: instance["attributes"]["runtime"]
        for resource in document.get("resources", [])
        if resource.get("type") == "aws_lambda_function"
        for instance in resource.get("instances", [])
    }


def region_of(outputs: dict[str, Any]) -> str:
    for arn in (outputs.get("function_arns") or {}).values():
        return str(arn).split(":")[3]
    for arn in (outputs.get("queue_arns") or {}).values():
        return str(arn).split(":")[3]
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def start_runner(state: LocalState) -> RunnerRecord:
    document = start_background(state, "runner", LAMBDA_SERVICE, RunnerRecord.FILE,
                                lambda record, pid: bool(record.get("ready")), RUNNER_READY_TIMEOUT)
    return RunnerRecord.from_json(document)


def stop_runner(state: LocalState) -> bool:
    return stop_recorded(state, RunnerRecord.FILE)


def down(root: Path) -> list[str]:
    """Stop everything the stack started and remove its state; what was stopped (empty when nothing ran)."""
    state = LocalState(root)
    stopped = []
    if stop_runner(state):
        stopped.append("runner")
    if emulator.stop(state):
        stopped.append("emulator")
    for pid in stack_processes(state):
        if stop_process_group(pid, timeout=3) or not process_alive(pid):
            stopped.append(f"process {pid}")
    if state.dir.exists():
        shutil.rmtree(state.dir)
    return stopped
