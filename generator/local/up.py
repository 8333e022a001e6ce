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
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    EmulatorConfig,
    EmulatorRecord,
    LocalError,
    LocalSetting,
    LocalState,
    RunnerConfig,
    RunnerRecord,
    running_emulator,
)
from generator.progress import Progress

if TYPE_CHECKING:
    from generator.spec.model import Spec

RUNNER_READY_TIMEOUT = 120
APPLIED_FILE = "applied.json"  # the digest of what the last successful apply applied, and its outputs
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
    iam: bool = True  # IAM enforced for the functions' calls
    notes: list[str] = field(default_factory=list)


def emulator_only(root: Path, progress: Progress) -> EmulatorRecord:
    """The emulator alone, started (empty) or reused while it runs; `up` later applies to it as to any running one."""
    state = LocalState(root)
    running = running_emulator(state)
    if running is not None:
        progress(f"emulator already running at {running.endpoint}")
        return running
    if state.dir.exists():
        progress("a previous stack is not running any more: clearing its state")
        down(root)
    progress("starting the emulator alone (moto server on 127.0.0.1, a free port)")
    running = emulator.start(state)
    progress(f"emulator ready (log: {state.file('emulator.log')}); `make down` stops it")
    return running


def up(root: Path, terraform_dir: Path, progress: Progress, *, retry_delay: int | None,
       local_settings: tuple[LocalSetting, ...] = (), iam: bool = True,
       debug: str | None = None) -> UpResult:
    state = LocalState(root)
    if not (terraform_dir / "outputs.tf").exists():
        raise UpError(f"{terraform_dir} has no generated configuration: run `make generate` first")
    running = running_emulator(state)
    if running is None:
        if state.dir.exists():
            progress("a previous stack is not running any more: clearing its state")
            down(root)
        progress("starting the emulator (moto server on 127.0.0.1, a free port)")
        EmulatorConfig(iam=iam).write(state)
        running = emulator.start(state)
        progress(f"emulator ready at {running.endpoint} (log: {state.file('emulator.log')})")
        reused = False
    else:
        progress(f"emulator already running at {running.endpoint}: applying changes only")
        EmulatorConfig(iam=iam).write(state)  # the running emulator re-reads it
        reused = True

    stop_reloader(state)  # it applies too: one apply at a time
    applied = TerraformApply(state, terraform_dir)
    digest = applied.inputs_digest(running.endpoint)
    last = state.read(APPLIED_FILE) if reused else None
    if last is not None and last.get("digest") == digest:
        progress(f"terraform apply skipped: {terraform_dir}/ is what was applied last (changes made through the "
                 "API since, such as a rollback, stay; `make down` then `make up` starts afresh)")
        outputs = last["outputs"]
    else:
        state.file(APPLIED_FILE).unlink(missing_ok=True)
        applied.prepare(running.endpoint)
        progress("terraform init (provider from the local mirror or registry)")
        applied.init(progress)
        progress(f"terraform apply of the generated files in {terraform_dir}/ (unchanged) to the emulator")
        applied.apply(progress)
        outputs = applied.outputs()
        state.write(APPLIED_FILE, {"digest": digest, "outputs": outputs})
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
    region = region_of(outputs)
    config = RunnerConfig(endpoint=running.endpoint, region=region, retry_delay=retry_delay,
                          zip_dir=str(root / "build" / "lambda"), runtimes=pythons, local_settings=local_settings,
                          ports=previous.ports() if previous else {}, debug=debugging)
    if (previous is not None and process_alive(previous.pid) and state.file(RunnerConfig.FILE).exists()
            and RunnerConfig.read(state.dir) == config):
        progress("Lambda service already running with these settings: kept (it follows the emulator by itself)")
        progress("IAM enforced for the functions' calls" if iam else "IAM not enforced (--no-iam)")
        return UpResult(running, interpreters, previous, outputs, region, reused, iam)
    stop_runner(state)
    config.write(state)
    progress("starting the Lambda service (event source mappings, function URLs)")
    record = start_runner(state)
    progress(f"Lambda service ready: {len(record.mappings)} mappings polled, "
             f"{len(record.function_urls)} function URLs served")
    progress("IAM enforced for the functions' calls" if iam else "IAM not enforced (--no-iam)")
    return UpResult(running, interpreters, record, outputs, region, reused, iam)


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


def start_reloader(root: Path, spec_path: Path, terraform_dir: Path, endpoint: str, spec: Spec) -> None:
    """Hot reload (generator/local/reloader.py): each function's folders watched, a save redeployed."""
    from generator.local.reloader import ReloaderConfig, ReloaderRecord
    from generator.naming import alias_label
    from generator.package.inputs import function_sources

    state = LocalState(root)
    sources = function_sources(spec, spec_path.parent)
    runtimes = RunnerConfig.read(state.dir).runtimes
    ReloaderConfig(
        spec=str(spec_path), terraform_dir=str(terraform_dir), endpoint=endpoint,
        functions={fn.key: [str(fn.source_dir), str(fn.common_dir)] for fn in sources},
        names={fn.key: fn.name for fn in sources},
        alias_addresses={fn.key: f"module.pipeline.aws_lambda_alias.{alias_label(fn.key)}" for fn in sources},
        pythons={fn.key: runtimes.get(fn.runtime, sys.executable) for fn in sources},
    ).write(state.dir)
    start_background(state, "reloader", "generator.local.reloader", ReloaderRecord.FILE,
                     lambda record, pid: bool(record.get("ready")), RUNNER_READY_TIMEOUT)


def stop_reloader(state: LocalState) -> bool:
    from generator.local.reloader import ReloaderRecord

    return stop_recorded(state, ReloaderRecord.FILE, timeout=60)  # a reload in progress finishes its apply


def down(root: Path) -> list[str]:
    """Stop everything the stack started and remove its state; what was stopped (empty when nothing ran)."""
    state = LocalState(root)
    stopped = []
    if stop_reloader(state):
        stopped.append("reloader")
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
