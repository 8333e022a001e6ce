"""Walk a function's folder and `lambdas/common/`: exactly the files that go into its zip, or located problems.

The policy for what a walk meets:
- regular files and folders are packaged (minus what generator/package/exclude.py leaves out);
- a symbolic link is followed only when its target, fully resolved, is inside the function's own folder or
  `lambdas/common/` (the two trees a zip is made of); its target's content is packaged under the link's name
  (a regular file in the zip: the target's bytes and mode, never a link entry). A link that leaves them,
  dangles, loops, points at a folder containing it, or at something the exclusion rule leaves out (`.env`,
  `tests/`, …: the link would ship it under another name) is an error;
- FIFOs, sockets and devices are errors, found by `lstat`/`stat` alone: they are never opened;
- file names must be UTF-8 without backslashes or control characters (generator/package/names.py);
- a function's own `common/` (or `common.py`) would shadow `lambdas/common/` in the zip: an error.

Nothing is read here but folder listings and file status; the content is read once, by the builder.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from generator.package.exclude import source_exclusion
from generator.package.names import display, file_name_problem
from generator.problems import Path as ProblemPath
from generator.problems import Problem, error

SHARED_PACKAGE = "common"


@dataclass(frozen=True)
class SourceFile:
    archive_name: str  # path inside the zip, '/'-separated
    path: Path  # the file to read: the resolved target when the walk followed a link
    executable: bool
    size: int
    shown: str  # as messages and listings name it, e.g. "lambdas/router/handler.py"


@dataclass(frozen=True)
class LeftOut:
    shown: str  # folders end with '/'
    reason: str


@dataclass
class SourceTree:
    files: list[SourceFile] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def extend(self, other: SourceTree) -> None:
        self.files += other.files
        self.left_out += other.left_out
        self.problems += other.problems


@dataclass(frozen=True)
class Root:
    """One tree a zip is made of: where it is, how messages name it, and where its entries go in the zip."""

    directory: Path
    shown: str  # "lambdas/router/" (with the slash)
    prefix: str  # "" for the function's folder, "common/" for lambdas/common/
    problem_path: ProblemPath  # where its problems are reported in queues.toml


def function_tree(own: Root, common: Root) -> SourceTree:
    """Every file of the function's folder and of the common folder that goes into the zip, sorted by
    archive name, plus what was left out and what is wrong. Links may point into either tree."""
    allowed = tuple(os.path.realpath(r.directory) for r in (own, common))
    allowed_shown = f"{own.shown} and {common.shown}"
    tree = SourceTree()
    for root, shadowed in ((own, True), (common, False)):
        walker = _Walker(root, allowed, allowed_shown, common.shown, shadowing=shadowed)
        real_root = os.path.realpath(root.directory)
        if os.path.isdir(real_root):
            walker.directory(real_root, "", root.shown, frozenset({real_root}))
        tree.extend(walker.tree)
    tree.files.sort(key=lambda f: f.archive_name)
    return tree


def followed_file(path: Path, shown: str, own: Root, common: Root) -> tuple[Path | None, Problem | None]:
    """A file the packager reads but does not ship (requirements.txt), under the same link and special-file
    policy: (the path to read, None), (None, the problem), or (None, None) when there is no such file."""
    allowed = tuple(os.path.realpath(r.directory) for r in (own, common))
    walker = _Walker(own, allowed, f"{own.shown} and {common.shown}", common.shown, shadowing=False)
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, walker.problem(shown, f"cannot be read: {exc.strerror}", "check its permissions")
    target = walker.resolve(str(path), shown, status, frozenset(), shipped=False)
    if target is None:
        return None, walker.tree.problems[0]
    real, status = target
    if not stat.S_ISREG(status.st_mode):
        return None, walker.problem(shown, f"is {_kind(status.st_mode)}, not a regular file",
                                    "make it a regular text file")
    return Path(real), None


class _Walker:
    def __init__(self, root: Root, allowed: tuple[str, ...], allowed_shown: str, common_shown: str, *,
                 shadowing: bool):
        self.root = root
        self.allowed = allowed
        self.allowed_shown = allowed_shown
        self.common_shown = common_shown
        self.shadowing = shadowing  # whether a root entry named `common` would hide the common folder
        self.tree = SourceTree()

    def problem(self, shown: str, message: str, hint: str) -> Problem:
        found = error(self.root.problem_path, f"{shown} {message}", hint)
        self.tree.problems.append(found)
        return found

    def directory(self, real_dir: str, archive_dir: str, shown_dir: str, ancestors: frozenset[str]) -> None:
        try:
            entries = sorted(os.scandir(real_dir), key=lambda entry: entry.name)
        except OSError as exc:
            self.problem(shown_dir, f"cannot be listed: {exc.strerror}", "check its permissions")
            return
        for entry in entries:
            self.entry(entry, archive_dir, shown_dir, ancestors)

    def entry(self, entry: os.DirEntry[str], archive_dir: str, shown_dir: str, ancestors: frozenset[str]) -> None:
        name, shown = entry.name, shown_dir + display(entry.name)
        try:
            status = entry.stat(follow_symlinks=False)
        except OSError as exc:
            self.problem(shown, f"cannot be read: {exc.strerror}", "check its permissions")
            return
        reason = source_exclusion(name, _looks_like_dir(entry, status))
        if reason is not None:
            self.tree.left_out.append(LeftOut(shown + ("/" if _looks_like_dir(entry, status) else ""), reason))
            return
        if (bad_name := file_name_problem(name)) is not None:
            self.problem(shown, bad_name, "rename it")
            return
        if self.shadowing and not archive_dir and (name == SHARED_PACKAGE or name.startswith(SHARED_PACKAGE + ".")):
            self.problem(shown, f"would shadow {self.common_shown} in the zip (every function gets that folder as "
                         f"`{SHARED_PACKAGE}/`)", f"rename it, or move its modules into {self.common_shown}")
            return
        target = self.resolve(entry.path, shown, status, ancestors)
        if target is None:
            return
        real, status = target
        if stat.S_ISDIR(status.st_mode):
            self.directory(real, f"{archive_dir}{name}/", f"{shown}/", ancestors | {real})
        elif stat.S_ISREG(status.st_mode):
            self.tree.files.append(SourceFile(self.root.prefix + archive_dir + name, Path(real),
                                              bool(status.st_mode & 0o111), status.st_size, shown))
        else:
            self.problem(shown, f"is {_kind(status.st_mode)}, not a regular file or folder",
                         "remove it: only regular files and folders are packaged (it was not opened)")

    def resolve(self, path: str, shown: str, status: os.stat_result, ancestors: frozenset[str], *,
                shipped: bool = True) -> tuple[str, os.stat_result] | None:
        """(real path, status of what it is) for a plain entry or a link the policy follows; else a problem.
        `shipped`: the entry goes into the zip (requirements.txt is only read, so it may link to another one)."""
        if not stat.S_ISLNK(status.st_mode):
            return path, status  # listed from a real folder: already a real path
        written = display(os.readlink(path))
        try:
            real = os.path.realpath(path, strict=True)
        except FileNotFoundError:
            self.problem(shown, f"is a symbolic link to {written}, which does not exist",
                         "remove the link, or create what it points to")
            return None
        except OSError:
            self.problem(shown, f"is a symbolic link to {written} that never resolves (a loop of links)",
                         "remove the link: it leads back to itself")
            return None
        if not any(real == root or real.startswith(root + os.sep) for root in self.allowed):
            self.problem(shown, f"is a symbolic link to {written}, outside {self.allowed_shown}",
                         f"links are followed only inside {self.allowed_shown}: copy the file in, or move "
                         f"shared code into {self.common_shown}")
            return None
        if shipped and (left_out := _excluded_part(real, self.allowed)) is not None:
            part, reason = left_out
            self.problem(shown, f"is a symbolic link to {written}, which is never packaged ({display(part)}: "
                         f"{reason})", "remove the link: it would ship under another name what the zip leaves out")
            return None
        try:
            target = os.stat(real)
        except OSError as exc:
            self.problem(shown, f"is a symbolic link to {written}, which cannot be read: {exc.strerror}",
                         "check its permissions")
            return None
        if stat.S_ISDIR(target.st_mode) and any(real == a or a.startswith(real + os.sep) for a in ancestors):
            self.problem(shown, f"is a symbolic link to {written}, a folder that contains the link",
                         "remove the link: packaging it would never end")
            return None
        return real, target


def _excluded_part(real: str, roots: tuple[str, ...]) -> tuple[str, str] | None:
    """The first part of a link's resolved target, below the root holding it, that the exclusion rule leaves
    out, with the rule's reason; None when the walk would package the target itself."""
    root = next(r for r in roots if real == r or real.startswith(r + os.sep))
    parts = os.path.relpath(real, root).split(os.sep) if real != root else []
    for index, part in enumerate(parts):
        is_dir = index < len(parts) - 1 or os.path.isdir(real)
        if (reason := source_exclusion(part, is_dir)) is not None:
            return part, reason
    return None


def _looks_like_dir(entry: os.DirEntry[str], status: os.stat_result) -> bool:
    if stat.S_ISLNK(status.st_mode):
        try:
            return entry.is_dir(follow_symlinks=True)
        except OSError:
            return False
    return stat.S_ISDIR(status.st_mode)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "an unknown kind of file"
