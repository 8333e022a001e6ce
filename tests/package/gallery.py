"""What every packaging gallery case does: set up an attack in a fresh one-function project, run `generate` as a
user would, and check that it was refused with a located message (nothing written, no traceback, no hang), or
packaged with exactly the expected content, or left out (and shown by `zip-list`)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.cli import main
from generator.package.build import built_zip
from tests.package.wheelmaker import make_project

Setup = Callable[[Path], None]  # gets the project root (with lambdas/fn/ and lambdas/common/)


@dataclass(frozen=True)
class Refused:
    where: str  # dotted path printed after "error: "
    message: str  # the whole message
    hint: str = ""  # a fragment of the hint


@dataclass(frozen=True)
class Packaged:
    entries: dict[str, bytes]  # archive name → exact content; every other source entry is the handler's


@dataclass(frozen=True)
class LeftOut:
    shown: str  # as zip-list prints it, e.g. "lambdas/fn/.git/"
    reason: str


FN = "functions.fn"
COMMON = "project.lambdas_dir"
ALLOWED = "lambdas/fn/ and lambdas/common/"


@contextlib.contextmanager
def deadline(seconds: int = 30) -> Iterator[None]:
    """A case that opens a FIFO or reads /dev/zero would hang: fail it instead."""
    def expire(signum, frame):
        raise TimeoutError(f"no answer within {seconds} s: something was opened that should not be")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_case(tmp_path: Path, setup: Setup, expected: Refused | Packaged | LeftOut, capsys,
             **project: object) -> None:
    root = tmp_path / "project"
    spec = make_project(root, **project)
    setup(root)
    with deadline():
        code = main(["generate", str(spec)])
    out, err = capsys.readouterr()
    if isinstance(expected, Refused):
        assert code == 1, out + err
        assert f"error: {expected.where}: {expected.message}\n" in err, err
        assert expected.hint in err.split(expected.message, 1)[1].split("\n")[1], err
        assert "nothing was written" in err
        assert not (root / "terraform").exists() and not (root / "build" / "lambda").exists()
        return
    assert code == 0, err
    with zipfile.ZipFile(built_zip(root / "build" / "lambda", "fn")) as archive:
        names = archive.namelist()
        if isinstance(expected, Packaged):
            assert sorted(names) == sorted({"common/__init__.py", "handler.py", *expected.entries})
            for name, content in expected.entries.items():
                assert archive.read(name) == content, name
            return
    prefix = expected.shown.removeprefix("lambdas/fn/").removeprefix("lambdas/").rstrip("/")
    assert not [name for name in names if name == prefix or name.startswith(prefix + "/")], names
    assert main(["zip-list", "fn", str(spec)]) == 0
    listing = capsys.readouterr().out
    assert any(line.split() == [expected.shown, *expected.reason.split()] for line in listing.splitlines()), \
        listing


# ── small builders for the cases ─────────────────────────────────────────────────────────────────────────

def write(relative: str, content: str | bytes = "x = 1\n") -> Setup:
    def setup(root: Path) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return setup


def link(relative: str, target: str) -> Setup:
    """A symbolic link; '{root}' in the target becomes the project's absolute path."""
    def setup(root: Path) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target.replace("{root}", str(root)), path)
    return setup


def fifo(relative: str) -> Setup:
    def setup(root: Path) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path)
    return setup


def unix_socket(relative: str) -> Setup:
    def setup(root: Path) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.chdir(path.parent), socket.socket(socket.AF_UNIX) as server:
            server.bind(path.name)  # relative: socket paths are limited to ~108 bytes
    return setup


def char_device(relative: str) -> Setup:
    def setup(root: Path) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mknod(path, 0o600 | 0o020000, os.makedev(1, 5))  # what /dev/zero is
        except PermissionError:
            pytest.skip("creating a device node needs root")
    return setup


def remove(relative: str) -> Setup:
    def setup(root: Path) -> None:
        (root / relative).unlink()
    return setup


def directory(relative: str) -> Setup:
    def setup(root: Path) -> None:
        (root / relative).mkdir(parents=True, exist_ok=True)
    return setup


def both(*setups: Setup) -> Setup:
    def setup(root: Path) -> None:
        for step in setups:
            step(root)
    return setup
