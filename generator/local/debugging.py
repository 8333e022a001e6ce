"""`up --debug FUNCTION` (`make up DEBUG=FUNCTION`): that function's execution environment runs under debugpy,
listening on 127.0.0.1 and waiting for the editor to attach before the runtime starts.

debugpy (requirements/debug.lock) is installed for the runtime's Python, only when asked, into build/lambda-debug/
(beside the runtime virtualenv, never in it: the zip is still tested against the runtime alone). While debugged
the function runs in one environment (one debugger), with a timeout of DEBUG_TIMEOUT_S, and every message its
pollers receive stays hidden DEBUG_VISIBILITY_S, so a message paused at a breakpoint is not delivered again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from generator.local.lambda_service.interpreter import Interpreter, LocalRuntimeError
from generator.local.state import DebugSettings

LOCK = Path("requirements") / "debug.lock"
DEBUG_TIMEOUT_S = 3600
DEBUG_VISIBILITY_S = DEBUG_TIMEOUT_S + 60  # SQS allows up to 12 hours
PREFERRED_PORT = 5678  # debugpy's usual port, when free


def debugpy_packages(project: Path, interpreter: Interpreter, log: Callable[[str], None]) -> Path:
    """The folder debugpy is installed in for this interpreter (installed once per lock and Python version)."""
    lock = project / LOCK
    digest = hashlib.sha256(lock.read_bytes() + interpreter.version.encode()).hexdigest()[:12]
    target = project / "build" / "lambda-debug" / f"{interpreter.runtime}-{digest}"
    if (target / ".installed").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    log(f"installing debugpy ({lock}) for {interpreter.runtime} into {target}")
    tools_uv = project / ".venv-tools" / "bin" / "uv"
    uv = str(tools_uv) if tools_uv.exists() else shutil.which("uv")
    if uv:
        command = [uv, "pip", "install", "--quiet", "--python", interpreter.path, "--target", str(target),
                   "--no-deps", "-r", str(lock)]
    else:
        command = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check",
                   "--only-binary=:all:", "--python-version", interpreter.version.rsplit(".", 1)[0],
                   "--target", str(target), "-r", str(lock)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise LocalRuntimeError(f"installing {lock} into {target} failed:\n{result.stdout[-1500:]}"
                                f"{result.stderr[-1500:]}")
    (target / ".installed").write_text("", encoding="utf-8")
    return target


def free_port(preferred: int = PREFERRED_PORT) -> int:
    for port in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise LocalRuntimeError("no free loopback port for the debugger")


def settings(function: str, packages: Path, port: int) -> DebugSettings:
    return DebugSettings(function=function, port=port, packages=str(packages), timeout=DEBUG_TIMEOUT_S,
                         visibility=DEBUG_VISIBILITY_S)


def attach_hint(function: str, address: str, task_root: str, project: Path, key: str) -> list[str]:
    """What to tell the developer: where debugpy waits, and an editor's attach configuration (VS Code's)."""
    host, _, port = address.rpartition(":")
    source = project / "lambdas" / key
    configuration = {
        "name": f"Attach {function} (local stack)", "type": "debugpy", "request": "attach",
        "connect": {"host": host, "port": int(port)},
        "pathMappings": [{"localRoot": str(source), "remoteRoot": task_root},
                         {"localRoot": str(project / "lambdas" / "common"), "remoteRoot": f"{task_root}/common"}],
        "justMyCode": False,
    }
    return [
        f"{function} runs under debugpy at {address}: its environment waits for your editor to attach, and each "
        f"invocation may pause up to {DEBUG_TIMEOUT_S} s (its messages stay hidden meanwhile)",
        "  VS Code (.vscode/launch.json, \"configurations\"); other editors: attach to that host and port:",
        *(f"  {line}" for line in json.dumps(configuration, indent=2).splitlines()),
    ]
