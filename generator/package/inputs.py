"""What goes into a function's zip, and the hash of those inputs.

The hash is what Terraform sees as `source_code_hash`: it is computed from the inputs (source files, their
executable bits, the pinned requirements, runtime, architecture and packager version), never from the zip's
bytes, so it is the same on every machine and Terraform redeploys exactly when an input changes.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from generator.naming import function_name
from generator.problems import Problem, error
from generator.spec.model import Spec

# Bump when the zip layout or the build recipe changes, so every function is rebuilt and redeployed.
PACKAGER_VERSION = "1"

# Never shipped: bytecode for the build host, test code, editor and build debris.
_EXCLUDED_DIRS = frozenset({"__pycache__", "tests", "test", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
_EXCLUDED_SUFFIXES = (".pyc", ".pyo", ".egg-info", ".dist-info")
_EXCLUDED_FILES = frozenset({".DS_Store", "requirements.txt", "README.md"})


@dataclass(frozen=True)
class FunctionSource:
    key: str
    name: str
    source_dir: Path
    common_dir: Path
    handler: str
    runtime: str
    architecture: str
    folder: str = ""  # the source folder as messages name it, e.g. "lambdas/thumbnail"

    @property
    def requirements_file(self) -> Path:
        return self.source_dir / "requirements.txt"

    @property
    def python_version(self) -> str:
        return self.runtime.removeprefix("python")


@dataclass(frozen=True)
class SourceFile:
    archive_name: str  # path inside the zip, '/'-separated
    path: Path
    executable: bool


def _walk(root: Path, prefix: str) -> list[SourceFile]:
    files = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames if d not in _EXCLUDED_DIRS and not d.endswith(_EXCLUDED_SUFFIXES)
        )
        for filename in sorted(filenames):
            excluded = filename in _EXCLUDED_FILES or filename.endswith(_EXCLUDED_SUFFIXES)
            if excluded or filename.startswith("test_"):
                continue
            path = Path(directory, filename)
            relative = path.relative_to(root).as_posix()
            files.append(SourceFile(prefix + relative, path, os.access(path, os.X_OK)))
    return files


def source_files(fn: FunctionSource) -> list[SourceFile]:
    """The function's own files at the zip root and the shared code under common/, sorted by archive name."""
    files = _walk(fn.source_dir, "")
    if fn.common_dir.is_dir():
        files += _walk(fn.common_dir, "common/")
    return sorted(files, key=lambda f: f.archive_name)


def requirement_lines(fn: FunctionSource) -> list[tuple[int, str]]:
    """(line number, text) of the requirement lines that matter: comments and blank lines dropped."""
    if not fn.requirements_file.is_file():
        return []
    lines = []
    for number, raw in enumerate(fn.requirements_file.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append((number, line))
    return lines


def pinned_requirements(fn: FunctionSource) -> list[str]:
    """The requirement lines that matter (comments and blank lines dropped), in file order."""
    return [line for _, line in requirement_lines(fn)]


def input_hash(fn: FunctionSource) -> str:
    """base64(sha256) over everything that decides the zip's contents, spelled as Terraform's
    filebase64sha256 spells a hash."""
    digest = hashlib.sha256()

    def feed(*parts: str) -> None:
        for part in parts:
            digest.update(part.encode())
            digest.update(b"\0")

    feed("packager", PACKAGER_VERSION, "runtime", fn.runtime, "architecture", fn.architecture)
    for requirement in pinned_requirements(fn):
        feed("requirement", requirement)
    for file in source_files(fn):
        content = hashlib.sha256(file.path.read_bytes()).hexdigest()
        feed("file", file.archive_name, "x" if file.executable else "-", content)
    return base64.b64encode(digest.digest()).decode()


def function_sources(spec: Spec, spec_dir: Path) -> list[FunctionSource]:
    lambdas = spec_dir / spec.project.lambdas_dir
    return [
        FunctionSource(
            key=key,
            name=function_name(key, fn),
            source_dir=lambdas / (fn.source or key),
            common_dir=lambdas / "common",
            handler=fn.handler,
            runtime=fn.runtime,
            architecture=fn.architecture,
            folder=f"{spec.project.lambdas_dir}/{fn.source or key}",
        )
        for key, fn in sorted(spec.functions.items())
    ]


def check_sources(sources: list[FunctionSource], lambdas_dir: str) -> list[Problem]:
    """Each function's folder exists and holds its handler module: a typo fails before anything is built."""
    problems = []
    for fn in sources:
        folder = f"{lambdas_dir}/{fn.source_dir.name}"
        if not fn.source_dir.is_dir():
            problems.append(error(("functions", fn.key), f"no source folder {folder}/",
                                  f"create {folder}/ with the function's handler module"))
            continue
        module, _, _function = fn.handler.rpartition(".")
        relative = module.replace(".", "/")
        module_file, package_init = fn.source_dir / f"{relative}.py", fn.source_dir / relative / "__init__.py"
        if not (module_file.is_file() or package_init.is_file()):
            problems.append(error(("functions", fn.key, "handler"),
                                  f"handler module {folder}/{relative}.py does not exist",
                                  f"create it, or point handler at an existing module (now {fn.handler!r})"))
    return problems
