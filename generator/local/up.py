"""`up` and `down`: the whole pipeline on this machine, and nothing of it left afterwards.

up:   emulator (started, or reused while it runs) → the generated Terraform applied to it → the runtime's Python
      and its libraries → the runner (restarted, so it runs what was just applied) → a demo job through the
      router, awaited stage by stage → the summary.
down: stops the runner and the emulator by the pids they recorded, then every process that still carries the
      stack's marker, and removes .local/.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from generator.local import emulator, runner, runtime
from generator.local.progress import Progress
from generator.local.stack import Stack
from generator.local.state import (
    STACK_MARKER,
    LocalError,
    LocalState,
    process_alive,
    start_background,
    stop_process_group,
    stop_recorded,
    write_json_atomically,
)

RUNNER_READY_TIMEOUT = 120


class UpError(LocalError):
    pass


@dataclass
class UpResult:
    emulator: emulator.Emulator
    interpreters: list[runtime.Interpreter]
    runner: dict
    outputs: dict
    reused_emulator: bool
    notes: list[str] = field(default_factory=list)


def up(root: Path, terraform_dir: Path, progress: Progress, *, retry_delay: int | None) -> UpResult:
    state = LocalState(root)
    if not (terraform_dir / "outputs.tf").exists():
        raise UpError(f"{terraform_dir} has no generated configuration: run `make generate` first")
    running = emulator.running(state)
    if running is None:
        if state.dir.exists():
            progress("a previous stack is not running any more: clearing its state")
            down(root, quiet=True)
        progress("starting the emulator (moto server on 127.0.0.1, a free port)")
        running = emulator.start(state)
        progress(f"emulator ready at {running.endpoint} (log: {state.file('emulator.log')})")
        reused = False
    else:
        progress(f"emulator already running at {running.endpoint}: applying changes only")
        reused = True

    stack = Stack(state, terraform_dir)
    stack.prepare(running.endpoint)
    progress("terraform init (provider from the local mirror or registry)")
    stack.init(progress)
    progress(f"terraform apply of the generated files in {terraform_dir}/ (unchanged) to the emulator")
    stack.apply(progress)
    outputs = stack.outputs()
    progress("apply complete")

    runtimes = _runtimes_in_use(stack)
    interpreters = []
    pythons = {}
    for name in sorted(runtimes):
        interpreter = runtime.find_interpreter(name)
        interpreters.append(interpreter)
        progress(f"runtime {interpreter.describe()}")
        pythons[name] = str(runtime.runtime_environment(root, interpreter, progress))

    stop_runner(state)
    region = _region(outputs)
    write_json_atomically(state.file(runner.CONFIG), {
        "endpoint": running.endpoint,
        "region": region,
        "retry_delay": retry_delay,
        "zip_dir": str(root / "build" / "lambda"),
        "runtimes": pythons,
    })
    progress("starting the runner (event source mappings, function URLs)")
    record = start_runner(state)
    progress(f"runner ready: {len(record['mappings'])} mappings polled, "
             f"{len(record['function_urls'])} function URLs served")
    return UpResult(running, interpreters, record, outputs, reused)


def _runtimes_in_use(stack: Stack) -> set[str]:
    import json

    state = json.loads((stack.state.dir / "terraform.tfstate").read_text(encoding="utf-8"))
    return {
        instance["attributes"]["runtime"]
        for resource in state.get("resources", [])
        if resource.get("type") == "aws_lambda_function"
        for instance in resource.get("instances", [])
    }


def _region(outputs: dict) -> str:
    for arn in (outputs.get("function_arns") or {}).values():
        return str(arn).split(":")[3]
    for arn in (outputs.get("queue_arns") or {}).values():
        return str(arn).split(":")[3]
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def start_runner(state: LocalState) -> dict:
    return start_background(state, "runner", lambda record, pid: bool(record.get("ready")), RUNNER_READY_TIMEOUT)


def stop_runner(state: LocalState) -> bool:
    return stop_recorded(state, "runner")


def down(root: Path, *, quiet: bool = False) -> list[str]:
    """Stop everything the stack started and remove its state; what was stopped (empty when nothing ran)."""
    state = LocalState(root)
    stopped = []
    if stop_runner(state):
        stopped.append("runner")
    if emulator.stop(state):
        stopped.append("emulator")
    strays = stack_processes(state)
    for pid in strays:
        if stop_process_group(pid, timeout=3) or not process_alive(pid):
            stopped.append(f"process {pid}")
    if state.dir.exists():
        shutil.rmtree(state.dir)
    return stopped


def stack_processes(state: LocalState) -> list[int]:
    """Every live process whose environment carries this stack's marker (function environments, ffmpeg …)."""
    marker = f"{STACK_MARKER}={state.dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0") and process_alive(int(entry.name)):
            found.append(int(entry.name))
    return found
