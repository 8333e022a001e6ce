"""Everything that touches the Terraform directory: reading what is there, and writing a rendering as one
transaction that no kill can leave half-done unnoticed, under a lock so two runs never interleave.

A write stages every new file as a uniquely named temporary file beside its target, then records the list in a
journal (the commit point), renames each file into place, removes the stale ones, and deletes the journal. A run
that finds a journal knows the previous one was interrupted after its commit point and completes it (every new
file is already on disk); temporary files without a journal are from a run killed before it, and are deleted.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import stat
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.output.header import MARKERS
from generator.pause import pause_point
from generator.problems import GeneratorError, error

MODULES_FOLDER = "modules"  # a Terraform directory's child modules: modules/<name>/ (one level, flat files)
JOURNAL = ".generate-journal.json"
TEMP_SUFFIX = ".gen-tmp"
# Test hook: pause at a named point so a test can kill the process right there: `locked` (lock taken), `staged`
# (temporary files written), `journal` (committed), `renamed-N` (N files in place), `removed` (stale files gone);
# the docs folder's write, after terraform/'s, has the same points with a `docs-` prefix.

_MARKERS = tuple(marker.encode() for marker in MARKERS)


def _problem(path: Path, message: str, hint: str) -> GeneratorError:
    return GeneratorError([error((), message, hint).at(str(path), 0, 0)])


def _os_problem(path: Path, doing: str, exc: OSError) -> GeneratorError:
    reason = exc.strerror or str(exc)
    folder = path.parent if str(path.parent) != "." else Path(".")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = (f"you need read access to it: check `ls -l {path}`" if doing.startswith("read")
                else f"make {folder} writable for you (e.g. `chmod u+w {folder}`), or pass --out DIR")
    elif exc.errno in (errno.EEXIST, errno.ENOTDIR):
        hint = f"a file stands where a folder must be on the way to {path}: move it away"
    elif exc.errno == errno.ENOSPC:
        hint = "free some disk space and run again"
    else:
        hint = "fix the file system problem and run again"
    return _problem(path, f"cannot {doing}: {reason}", hint)


@contextlib.contextmanager
def exclusive(project_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the project folder for the whole run: a second `generate` in the same folder
    waits for the first. The lock is on the folder itself (flock on its descriptor), so taking it creates no
    file, and the kernel drops it when its holder dies: a killed run never blocks the next."""
    try:
        descriptor = os.open(project_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise _os_problem(project_dir, "open the project folder", exc) from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        pause_point("locked")
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


@dataclass
class OnDisk:
    """The files a run may write (the Terraform directories' *.tf, the module's *.tftest.hcl, the docs folder's
    *.md) as they are before this run writes anything."""

    generated: dict[Path, str] = field(default_factory=dict)  # carry the generated header: their text
    hand_written: set[Path] = field(default_factory=set)  # regular files without the header
    not_files: set[Path] = field(default_factory=set)  # a directory, FIFO, socket … named like one of them


def read_tree(out_dir: Path, patterns: tuple[str, ...] = ("*.tf",), what: str = "the Terraform files") -> OnDisk:
    found = OnDisk()
    if not out_dir.exists():
        return found
    if not out_dir.is_dir():
        raise _problem(out_dir, f"is not a directory, but {what} are written there",
                       f"move {out_dir} away, or pass --out DIR to write somewhere else")
    try:
        paths = sorted(path for pattern in patterns for path in out_dir.glob(pattern))
    except OSError as exc:
        raise _os_problem(out_dir, "list the directory", exc) from None
    for path in paths:
        try:
            mode = path.lstat().st_mode
            if not stat.S_ISREG(mode):  # never open a FIFO or device: it could block or never end
                found.not_files.add(path)
                continue
            data = path.read_bytes()
        except OSError as exc:
            raise _os_problem(path, "read the file", exc) from None
        if not data.startswith(_MARKERS):
            found.hand_written.add(path)
            continue
        try:
            found.generated[path] = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _problem(path, f"carries the generated header but is not UTF-8 text ({exc.reason} at byte "
                           f"{exc.start})", f"restore it with `git checkout -- {path}` or delete it") from None
    return found


# --- the interrupted-write journal -------------------------------------------------------------------------


def _plain_name(value: object) -> str:
    """A journal entry names a file inside the directory (directly, or in the folder of one of its modules:
    `modules/pipeline/queues.tf`), nothing else (never `../x` or `/x`)."""
    if not isinstance(value, str) or not value or value.startswith("/"):
        raise ValueError(f"not a plain file name: {value!r}")
    parts = value.split("/")
    nested = len(parts) == 3 and parts[0] == MODULES_FOLDER
    if not (len(parts) == 1 or nested) or any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"not a plain file name: {value!r}")
    return value


def _folders(out_dir: Path) -> list[Path]:
    """The folders one transaction writes: the directory and its modules' folders."""
    return [out_dir, *sorted(path for path in out_dir.glob(f"{MODULES_FOLDER}/*") if path.is_dir())]


def _read_journal(out_dir: Path) -> tuple[list[tuple[str, str]], list[str]] | None:
    journal = out_dir / JOURNAL
    if not journal.exists():
        return None
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
        writes = [(_plain_name(target), _plain_name(staged)) for target, staged in data["writes"]]
        removes = [_plain_name(name) for name in data["removes"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _problem(journal, f"the journal of an interrupted generate cannot be read ({exc})",
                       f"delete {journal}, check `git status {out_dir}`, and run `make generate` again") from None
    return writes, removes


def interrupted(out_dir: Path) -> bool:
    return out_dir.is_dir() and (out_dir / JOURNAL).exists()


def complete_interrupted(out_dir: Path) -> list[Path]:
    """Finish the write a killed run had committed to; returns the files it had staged. Also deletes the
    temporary files of a run killed before its commit point."""
    entries = _read_journal(out_dir) if out_dir.is_dir() else None
    finished: list[Path] = []
    try:
        if entries is not None:
            writes, removes = entries
            for target, staged in writes:
                if (out_dir / staged).exists():
                    os.replace(out_dir / staged, out_dir / target)
                finished.append(out_dir / target)
            for name in removes:
                (out_dir / name).unlink(missing_ok=True)
            for folder in _folders(out_dir):
                _fsync_directory(folder)
            (out_dir / JOURNAL).unlink()
        if out_dir.is_dir():
            for folder in _folders(out_dir):
                for leftover in folder.glob(f".*{TEMP_SUFFIX}"):
                    leftover.unlink(missing_ok=True)
    except OSError as exc:
        raise _os_problem(out_dir / JOURNAL, "complete the interrupted generate", exc) from None
    return finished


# --- the transaction ---------------------------------------------------------------------------------------


def _relative(path: Path, out_dir: Path) -> str:
    return Path(os.path.relpath(path, out_dir)).as_posix()  # (mkstemp's staged paths are absolute)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _file_mode(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _stage(target: Path, data: bytes) -> Path:
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    staged = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(staged, _file_mode(target))
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged


def commit(out_dir: Path, writes: Mapping[Path, str], removes: Sequence[Path], pause_prefix: str = "") -> None:
    """Write every file of `writes` and delete every file of `removes` (in out_dir, or in the folder of one of its
    modules), all or (detectably) nothing."""
    if not writes and not removes:
        return
    try:
        for folder in sorted({out_dir, *(path.parent for path in writes)}):
            folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_problem(out_dir, "create the directory", exc) from None
    staged: dict[Path, Path] = {}
    current = out_dir
    try:
        for target, text in writes.items():
            current = target
            staged[target] = _stage(target, text.encode("utf-8"))
        pause_point(f"{pause_prefix}staged")
        current = out_dir / JOURNAL
        entries = {"writes": [[_relative(t, out_dir), _relative(s, out_dir)] for t, s in staged.items()],
                   "removes": [_relative(p, out_dir) for p in removes]}
        journal = _stage(current, json.dumps(entries, indent=1).encode())
        os.replace(journal, current)
        for folder in _folders(out_dir):
            _fsync_directory(folder)
    except OSError as exc:  # before the commit point: nothing has changed yet
        for path in staged.values():
            path.unlink(missing_ok=True)
        raise _os_problem(current, "write the file", exc) from None
    pause_point(f"{pause_prefix}journal")
    try:
        for number, (target, path) in enumerate(staged.items(), start=1):
            os.replace(path, target)
            pause_point(f"{pause_prefix}renamed-{number}")
        for path in removes:
            path.unlink(missing_ok=True)
        for folder in _folders(out_dir):
            _fsync_directory(folder)
        pause_point(f"{pause_prefix}removed")
        (out_dir / JOURNAL).unlink()
    except OSError as exc:  # after the commit point: the journal stays, the next run completes the write
        raise _problem(out_dir, f"writing stopped half-way: {exc}",
                       f"fix the problem and run `make generate`: it completes the write ({JOURNAL})") from None

