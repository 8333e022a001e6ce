"""Hot reload: while the stack is up, saving a file of a function redeploys that function, as an apply would.

    python -m generator.local.reloader STATE_DIR   # started (detached) by `up`; reads reloader-config.json

It watches each function's folder and the shared lambdas/common/ (requirements files included). On a change it
runs `generate` (the zip is rebuilt; terraform/ ends as `make generate` leaves it; a file that does not parse is
refused there and nothing is written), then applies the changed functions' part of the configuration to the
emulator (`terraform apply -target` of the function's live alias and what it depends on: the zip's upload and
signing, the function, a new version, the alias), so the Terraform state stays the emulator's and a `make up`
afterwards plans no changes. The Lambda service is woken and switches to the new version between invocations;
the line `reloaded downloader in N ms (version V)` goes to reloader.log (`python -m generator logs` shows it).
A build error is reported and the previous code keeps running.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from generator.local.apply import ApplyError, TerraformApply
from generator.local.state import LocalState, RunnerRecord, write_json_atomically

POLL_SECONDS = 0.25
SETTLE_SECONDS = 0.15  # an editor writes a file in several steps: wait until it stops changing
SWITCH_TIMEOUT = 30.0
IGNORED = ("__pycache__", ".pytest_cache", ".mypy_cache")
# run by the runtime's Python over a function's files: the first that does not parse, as `path:line: message`
_PARSE_ALL = """
import ast, sys
for name in sys.argv[1:]:
    try:
        ast.parse(open(name, "rb").read(), name)
    except SyntaxError as error:
        print(f"{name}:{error.lineno}: {error.msg}")
        sys.exit(1)
"""


@dataclass(frozen=True)
class ReloaderConfig:
    """reloader-config.json: what `up` hands the reloader."""

    FILE = "reloader-config.json"

    spec: str  # queues.toml's path
    terraform_dir: str
    endpoint: str
    functions: dict[str, list[str]]  # function key → the folders its zip is built from
    names: dict[str, str]  # function key → its AWS name
    alias_addresses: dict[str, str]  # function key → the Terraform address of its live alias
    pythons: dict[str, str]  # function key → the Python of its runtime (a saved file must parse there)

    def write(self, state_dir: Path) -> None:
        write_json_atomically(state_dir / self.FILE, asdict(self))

    @classmethod
    def read(cls, state_dir: Path) -> ReloaderConfig:
        document = json.loads((state_dir / cls.FILE).read_text(encoding="utf-8"))
        return cls(**{name: document[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class ReloaderRecord:
    FILE = "reloader.json"

    pid: int
    ready: bool
    reloads: int  # reloads done since the start
    last: str  # the last line it logged

    def write(self, state_dir: Path) -> None:
        write_json_atomically(state_dir / self.FILE, asdict(self))


def fingerprint(folders: list[str]) -> tuple[tuple[str, int, int], ...]:
    """Every file under the folders: (path, mtime in ns, size). A saved file changes it; a read does not."""
    found = []
    for folder in folders:
        for directory, subdirectories, files in os.walk(folder):
            subdirectories[:] = sorted(d for d in subdirectories if d not in IGNORED)
            for name in sorted(files):
                if name.endswith(".pyc"):
                    continue
                path = os.path.join(directory, name)
                try:
                    info = os.stat(path)
                except FileNotFoundError:  # removed meanwhile: the next look sees it gone
                    continue
                found.append((path, info.st_mtime_ns, info.st_size))
    return tuple(found)


class Reloader:
    def __init__(self, state_dir: Path, config: ReloaderConfig):
        self.state = LocalState(state_dir.parent)
        self.state_dir = state_dir
        self.config = config
        self.stopped = threading.Event()
        self.reloads = 0
        self.last = ""
        self._log = open(state_dir / "reloader.log", "a", buffering=1, encoding="utf-8")  # noqa: SIM115

    def log(self, record: Mapping[str, object]) -> None:
        text = json.dumps({"time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), **record},
                          sort_keys=False)
        self._log.write(text + "\n")
        self.last = str(record.get("message", ""))

    def record(self) -> None:
        ReloaderRecord(os.getpid(), True, self.reloads, self.last).write(self.state_dir)

    def serve(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: self.stopped.set())
        signal.signal(signal.SIGINT, lambda *_: self.stopped.set())
        seen = {key: fingerprint(folders) for key, folders in self.config.functions.items()}
        self.record()
        while not self.stopped.wait(POLL_SECONDS):
            changed = [key for key, folders in self.config.functions.items() if fingerprint(folders) != seen[key]]
            if not changed:
                continue
            while True:  # until the editor is done writing
                time.sleep(SETTLE_SECONDS)
                now = {key: fingerprint(folders) for key, folders in self.config.functions.items()}
                if all(now[key] == fingerprint(self.config.functions[key]) for key in now):
                    break
            changed = [key for key in self.config.functions if now[key] != seen[key]]
            seen = now
            if changed:
                self.reload(sorted(changed))
                self.record()

    def reload(self, keys: list[str]) -> None:
        started = time.monotonic()
        names = ", ".join(self.config.names[key] for key in keys)
        unparsable = [problem for key in keys if (problem := self._syntax_error(key))]
        if unparsable:
            self.log({"event": "reload-failed", "functions": keys,
                      "message": f"reload of {names} failed (the previous code keeps running): "
                                 + "; ".join(unparsable)})
            return
        generated = subprocess.run(
            [sys.executable, "-m", "generator", "generate", self.config.spec, "--out", self.config.terraform_dir],
            capture_output=True, text=True, cwd=Path(self.config.spec).parent, stdin=subprocess.DEVNULL)
        if generated.returncode != 0:
            self.log({"event": "reload-failed", "functions": keys,
                      "message": f"reload of {names} failed: `generate` refused the change (the previous code "
                                 f"keeps running):\n{(generated.stdout + generated.stderr).strip()}"})
            return
        applied = TerraformApply(self.state, Path(self.config.terraform_dir), own_session=True)
        try:
            applied.prepare(self.config.endpoint)
            applied.apply_targets([self.config.alias_addresses[key] for key in keys])
        except ApplyError as error:
            self.log({"event": "reload-failed", "functions": keys,
                      "message": f"reload of {names} failed: the apply to the emulator failed (the previous code "
                                 f"keeps running): {error}"})
            return
        versions = self._wait_for_runner(keys)
        elapsed_ms = (time.monotonic() - started) * 1000
        self.reloads += 1
        for key in keys:
            name = self.config.names[key]
            self.log({"event": "reloaded", "function": name, "version": versions.get(name),
                      "elapsed_ms": round(elapsed_ms),
                      "message": f"reloaded {name} in {elapsed_ms:.0f} ms (version {versions.get(name, '?')})"})

    def _syntax_error(self, key: str) -> str | None:
        """The first Python file of the function that its runtime's Python cannot parse, with the place (the
        generator may run on an older Python, where a newer syntax is only a warning)."""
        files = [path for folder in self.config.functions[key] for path in sorted(Path(folder).rglob("*.py"))
                 if not set(path.parts) & set(IGNORED)]
        check = subprocess.run(
            [self.config.pythons[key], "-c", _PARSE_ALL, *map(str, files)],
            capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if check.returncode == 0:
            return None
        return check.stdout.strip() or check.stderr.strip().splitlines()[-1]

    def _wait_for_runner(self, keys: list[str]) -> dict[str, str]:
        """Wake the Lambda service and wait until it runs each function's new live version."""
        from generator.local.state import local_session

        lambda_ = local_session(None).client("lambda", endpoint_url=self.config.endpoint)
        wanted = {self.config.names[key]: lambda_.get_alias(FunctionName=self.config.names[key],
                                                            Name="live")["FunctionVersion"] for key in keys}
        runner = RunnerRecord.read(self.state)
        if runner is not None:
            try:
                os.kill(runner.pid, signal.SIGUSR1)  # refresh now rather than at its next look
            except ProcessLookupError:
                return wanted
        deadline = time.monotonic() + SWITCH_TIMEOUT
        while time.monotonic() < deadline:
            runner = RunnerRecord.read(self.state)
            if runner is not None and all(runner.live_versions.get(n) == v for n, v in wanted.items()):
                break
            time.sleep(0.05)
        return wanted


def main(state_dir: Path) -> None:
    Reloader(state_dir, ReloaderConfig.read(state_dir)).serve()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
