"""The stack's background processes (the emulator, the Lambda service): started in a session of their own with
the stack's marker in their environment, awaited until their record says they are ready, stopped as a group."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.local.state import STACK_MARKER, LocalError, LocalState


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


def start_background(state: LocalState, name: str, module: str, record_file: str,
                     ready: Callable[[dict[str, Any], int], bool], timeout: float) -> dict[str, Any]:
    """Start `python -m MODULE STATE_DIR` in a session of its own (its output to <name>.log, the stack's marker
    in its environment) and wait until the record it writes (record_file) satisfies `ready(record, pid)`; that
    record. LocalError, with the end of its log, if it exits or times out."""
    state.dir.mkdir(parents=True, exist_ok=True)
    log_path = state.file(f"{name}.log")
    state.file(record_file).unlink(missing_ok=True)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", module, str(state.dir)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            cwd=state.root, env={**os.environ, "PYTHONUNBUFFERED": "1", STACK_MARKER: str(state.dir)},
        )  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = state.read(record_file)
        if record and record.get("pid") == process.pid and ready(record, process.pid):
            return record
        if process.poll() is not None:
            raise LocalError(f"the {name} exited with {process.returncode}:\n{tail(log_path)}")
        time.sleep(0.1)
    stop_process_group(process.pid)
    raise LocalError(f"the {name} was not ready within {timeout:.0f} s; see {log_path}")


def stop_recorded(state: LocalState, record_file: str, *, timeout: float = 10.0) -> bool:
    """Stop the process record_file names; True when one was running."""
    record = state.read(record_file)
    return (record is not None and isinstance(record.get("pid"), int)
            and stop_process_group(record["pid"], timeout=timeout))


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


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
