"""What goes into a function's zip, and the hash of those inputs.

The hash is what Terraform sees as `source_code_hash`: it is computed from the inputs (source files, their
executable bits, the pinned requirements, runtime, architecture and packager version), never from the zip's
bytes, so it is the same on every machine and Terraform redeploys exactly when an input changes.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from generator.naming import function_name
from generator.package.tree import Root, SourceFile, SourceTree, followed_file, function_tree
from generator.problems import Problem, error
from generator.spec.model import Spec

# Bump when the zip layout or the build recipe changes, so every function is rebuilt and redeployed.
PACKAGER_VERSION = "1"

# Where problems about lambdas/common/ are reported: they concern every function, so once, at the setting
# that names the folder.
COMMON_PROBLEM_PATH = ("project", "lambdas_dir")


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

    @property
    def shown(self) -> str:
        return self.folder or self.source_dir.name

    @property
    def own_root(self) -> Root:
        return Root(self.source_dir, f"{self.shown}/", "", ("functions", self.key))

    @property
    def common_root(self) -> Root:
        parent = self.shown.rpartition("/")[0]
        return Root(self.common_dir, f"{parent}/common/" if parent else "common/", "common/", COMMON_PROBLEM_PATH)


def source_tree(fn: FunctionSource) -> SourceTree:
    """The function's own files at the zip root and the shared code under common/, sorted by archive name;
    with what the exclusion rule left out and the problems found (links, special files, names)."""
    return function_tree(fn.own_root, fn.common_root)


@dataclass(frozen=True)
class Requirements:
    lines: list[tuple[int, str]]  # (line number, text) of the lines that matter: comments and blanks dropped
    problems: list[Problem]


def read_requirements(fn: FunctionSource) -> Requirements:
    """The function's requirements.txt (absent: no requirements). Links and special files follow the source
    walk's policy; a file that is not UTF-8 is a problem, not a traceback."""
    shown = f"{fn.shown}/requirements.txt"
    path, problem = followed_file(fn.requirements_file, shown, fn.own_root, fn.common_root)
    if problem is not None:
        return Requirements([], [problem])
    if path is None:
        return Requirements([], [])
    where = ("functions", fn.key)
    try:
        text = path.read_bytes().decode("utf-8-sig")  # pip accepts a byte-order mark, so do we
    except UnicodeDecodeError as exc:
        return Requirements([], [error(where, f"{shown} is not valid UTF-8 (byte {exc.object[exc.start]:#04x} "
                                              f"at offset {exc.start})", "save it as UTF-8")])
    except OSError as exc:
        return Requirements([], [error(where, f"{shown} cannot be read: {exc.strerror}", "check its permissions")])
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append((number, line))
    return Requirements(lines, [])


def content_hashes(fn: FunctionSource, files: list[SourceFile]) -> tuple[dict[str, str], list[Problem]]:
    """sha256 of each file's content by archive name; problems for files that cannot be read."""
    hashes, problems = {}, []
    for file in files:
        try:
            hashes[file.archive_name] = hashlib.sha256(file.path.read_bytes()).hexdigest()
        except OSError as exc:
            root = fn.common_root if file.archive_name.startswith("common/") else fn.own_root
            problems.append(error(root.problem_path, f"{file.shown} cannot be read: {exc.strerror}",
                                  "check its permissions"))
    return hashes, problems


def input_hash(fn: FunctionSource, requirements: list[str], files: list[SourceFile],
               hashes: dict[str, str]) -> str:
    """base64(sha256) over everything that decides the zip's contents, spelled as Terraform's
    filebase64sha256 spells a hash."""
    digest = hashlib.sha256()

    def feed(*parts: str) -> None:
        for part in parts:
            digest.update(part.encode())
            digest.update(b"\0")

    feed("packager", PACKAGER_VERSION, "runtime", fn.runtime, "architecture", fn.architecture)
    for requirement in requirements:
        feed("requirement", requirement)
    for file in files:
        feed("file", file.archive_name, "x" if file.executable else "-", hashes[file.archive_name])
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


def missing_folder_problem(fn: FunctionSource) -> Problem | None:
    if fn.source_dir.is_dir():
        return None
    return error(("functions", fn.key), f"no source folder {fn.shown}/",
                 f"create {fn.shown}/ with the function's handler module")


def handler_problems(fn: FunctionSource, tree: SourceTree) -> list[Problem]:
    """The handler's module is among the files the zip gets: a typo fails before anything is built."""
    module, _, _function = fn.handler.rpartition(".")
    relative = module.replace(".", "/")
    packaged = {file.archive_name for file in tree.files}
    if f"{relative}.py" in packaged or f"{relative}/__init__.py" in packaged:
        return []
    shown = f"{fn.shown}/{relative}.py"
    left_out = {item.shown: item.reason for item in tree.left_out}
    if shown in left_out:
        return [error(("functions", fn.key, "handler"),
                      f"handler module {shown} is left out of the zip ({left_out[shown]})",
                      "rename the module and point handler at it")]
    if any(problem.message.startswith(shown) for problem in tree.problems):
        return []  # already reported (a link out, a FIFO …)
    return [error(("functions", fn.key, "handler"), f"handler module {shown} does not exist",
                  f"create it, or point handler at an existing module (now {fn.handler!r})")]
