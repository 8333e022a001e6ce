"""Where the local stack keeps what it started: one git-ignored folder beside queues.toml.

    .local/
      emulator.json  emulator.log     the moto server: pid, port; its log
      runner.json    runner.log       the event-source-mapping runner: pid, endpoints; its log
      terraform/                      the working directory the generated files are applied from
      terraform.tfstate               its state (outside the generated files)
      functions/<name>/               each function's zip, unpacked (the task root)
      logs/<name>.log                 what each function printed (its CloudWatch log, locally)

`make down` stops the recorded processes and removes the folder. Caches that outlive a stack (the Lambda
runtime's virtualenv) live under build/, like the wheels.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATE_DIR_NAME = ".local"
STACK_MARKER = "SQS_LAMBDA_LOCAL_STACK"  # every process the stack starts carries it (so `down` finds them all)


class LocalError(RuntimeError):
    """Something the local stack cannot do, said in one message (the CLI prints it and exits 1)."""


@dataclass(frozen=True)
class LocalState:
    root: Path  # the project folder (where queues.toml is)

    @property
    def dir(self) -> Path:
        return self.root / STATE_DIR_NAME

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def file(self, name: str) -> Path:
        return self.dir / name

    def read(self, name: str) -> dict[str, Any] | None:
        try:
            return json.loads(self.file(name).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def write(self, name: str, data: dict[str, Any]) -> None:
        write_json_atomically(self.file(name), data)


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
    os.replace(temporary, path)


def process_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped) is not alive.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True


def stop_process_group(pid: int, *, timeout: float = 10.0) -> bool:
    """SIGTERM the process group the pid leads (it was started in a session of its own), then SIGKILL.
    True when something was running."""
    if not process_alive(pid):
        return False
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:  # not a group leader: the process alone
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return True
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not process_alive(pid):
                return True
            time.sleep(0.05)
    return True


def start_background(state: LocalState, name: str, ready: Callable[[dict[str, Any], int], bool],
                     timeout: float) -> dict[str, Any]:
    """Start `python -m generator.local.<name> STATE_DIR` in a session of its own (its output to <name>.log,
    the stack's marker in its environment) and wait until the record it writes (<name>.json) satisfies
    `ready(record, pid)`; that record. LocalError, with the end of its log, if it exits or times out."""
    state.dir.mkdir(parents=True, exist_ok=True)
    record_name, log_path = f"{name}.json", state.file(f"{name}.log")
    state.file(record_name).unlink(missing_ok=True)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", f"generator.local.{name}", str(state.dir)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            cwd=state.root, env={**os.environ, "PYTHONUNBUFFERED": "1", STACK_MARKER: str(state.dir)},
        )  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = state.read(record_name)
        if record and record.get("pid") == process.pid and ready(record, process.pid):
            return record
        if process.poll() is not None:
            raise LocalError(f"the {name} exited with {process.returncode}:\n{tail(log_path)}")
        time.sleep(0.1)
    stop_process_group(process.pid)
    raise LocalError(f"the {name} was not ready within {timeout:.0f} s; see {log_path}")


def stop_recorded(state: LocalState, name: str) -> bool:
    """Stop the process <name>.json records; True when one was running."""
    record = state.read(f"{name}.json")
    return bool(record) and stop_process_group(record["pid"])


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
