"""The Lambda runtime, locally: the runtime's Python found the way a user's machine offers it, and a
virtualenv holding only what the Lambda runtime provides (requirements/lambda-runtime.lock).

A function runs from its unpacked zip on that interpreter, so a module the zip lacks fails here as on Lambda.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.local.state import LocalError

LOCK = Path("requirements") / "lambda-runtime.lock"


class LocalRuntimeError(LocalError):
    pass


@dataclass(frozen=True)
class Interpreter:
    runtime: str  # "python3.12"
    path: str
    version: str  # "3.12.1"
    matches_runtime: bool  # False: the runtime's Python is not on this machine, the current one stands in

    def describe(self) -> str:
        if self.matches_runtime:
            return f"{self.runtime} on CPython {self.version} ({self.path})"
        return (f"{self.runtime} NOT available here: ran on CPython {self.version} ({self.path}) instead "
                f"- install Python {self.runtime.removeprefix('python')} to test on the runtime's version")


def _version_of(path: str) -> str | None:
    try:
        result = subprocess.run(
            [path, "-c", "import sys; print('.'.join(map(str, sys.version_info[:3])))"],
            capture_output=True, text=True, timeout=20,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def _pyenv_candidates(minor: str) -> list[str]:
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    versions = root / "versions"
    found = []
    if versions.is_dir():
        for folder in versions.iterdir():
            if re.fullmatch(rf"{re.escape(minor)}\.\d+", folder.name):
                found.append(folder)
    found.sort(key=lambda folder: tuple(int(part) for part in folder.name.split(".")), reverse=True)
    return [str(folder / "bin" / f"python{minor}") for folder in found]


def find_interpreter(runtime: str) -> Interpreter:
    """PATH first (`python3.12`), then pyenv's installed versions; else the current interpreter, said so."""
    minor = runtime.removeprefix("python")
    candidates = [path for path in [shutil.which(f"python{minor}")] if path] + _pyenv_candidates(minor)
    for path in candidates:
        version = _version_of(path)
        if version and version.rsplit(".", 1)[0] == minor:
            return Interpreter(runtime, path, version, matches_runtime=True)
    current = ".".join(map(str, sys.version_info[:3]))
    return Interpreter(runtime, sys.executable, current, matches_runtime=current.rsplit(".", 1)[0] == minor)


def runtime_virtualenv(project: Path, interpreter: Interpreter, log: Callable[[str], None]) -> Path:
    """The runtime virtualenv for this interpreter and lock (built once, under build/); its python."""
    lock = project / LOCK
    digest = hashlib.sha256(lock.read_bytes() + interpreter.version.encode()).hexdigest()[:12]
    venv = project / "build" / "lambda-runtime" / f"{interpreter.runtime}-{digest}"
    python = venv / "bin" / "python"
    if (venv / ".installed").exists():
        return python
    if venv.exists():
        shutil.rmtree(venv)
    log(f"building the {interpreter.runtime} runtime environment (awslambdaric, boto3) in {venv}")
    subprocess.run([interpreter.path, "-m", "venv", "--without-pip", str(venv)], check=True)
    installer = _installer(python, lock, project)
    result = subprocess.run(installer, capture_output=True, text=True)
    if result.returncode != 0:
        output = f"{result.stdout[-1500:]}{result.stderr[-1500:]}"
        raise LocalRuntimeError(f"installing {lock} into {venv} failed:\n{output}")
    (venv / ".installed").write_text("", encoding="utf-8")
    return python


def _installer(python: Path, lock: Path, project: Path) -> list[str]:
    """uv where the project has it (.venv-tools/, as `make` installs it) or PATH does; else pip."""
    tools_uv = project / ".venv-tools" / "bin" / "uv"
    uv = str(tools_uv) if tools_uv.exists() else shutil.which("uv") or _sibling("uv")
    if uv:
        return [uv, "pip", "install", "--python", str(python), "--no-deps", "-r", str(lock)]
    return [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
            "--disable-pip-version-check", "-r", str(lock)]


def _sibling(name: str) -> str | None:
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else None


def unpack(zip_path: Path, destination: Path) -> Path:
    """The zip's files as Lambda's /var/task: entries extracted with their modes; unpacked once per content."""
    marker = destination / ".unpacked"
    if marker.exists():
        return destination
    if destination.exists():
        shutil.rmtree(destination)
    staging = destination.with_name(destination.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            target = staging / info.filename
            if not target.resolve().is_relative_to(staging.resolve()):
                raise LocalRuntimeError(f"{zip_path}: entry {info.filename!r} escapes the task root")
            archive.extract(info, staging)
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                os.chmod(target, mode)
    staging.rename(destination)
    marker.write_text(str(zip_path), encoding="utf-8")
    return destination


def code_sha256(zip_path: Path) -> str:
    """Lambda's CodeSha256: base64 of the zip's SHA-256."""
    import base64

    digest = hashlib.sha256()
    with open(zip_path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return base64.b64encode(digest.digest()).decode()
