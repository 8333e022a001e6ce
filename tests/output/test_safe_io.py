"""A gallery of I/O failures, each provoked for real (permissions, a directory or FIFO where a file goes,
undecodable bytes, nesting deeper than the parser recurses) and run through the real CLI in a subprocess: each
gives a clean message naming the file, exit 1, no traceback, no hang, and terraform/ left as it was.

Permission cases run the generator as an unprivileged user when the tests run as root (root ignores file
modes), so the kernel really refuses the access."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.output.journal import JOURNAL
from generator.pipeline import generate
from tests.conftest import ROOT
from tests.output.safe_support import MODULE, case, shop_project, snapshot

NOBODY = 65534


@dataclass(frozen=True)
class Failure:
    provoke: Callable[[Path], list[str]]  # breaks the generated project; returns the CLI arguments to run
    message: str  # what stderr must say
    needs_permissions: bool = False  # relies on file modes, which root ignores


def _spec(project: Path) -> Path:
    return project / "queues.toml"


def _change_spec(project: Path) -> None:
    _spec(project).write_text(_spec(project).read_text().replace("max_receive_count = 5", "max_receive_count = 6"))


def _read_only_terraform(project: Path) -> list[str]:
    _change_spec(project)
    for folder in (project / "terraform" / MODULE, project / "terraform"):  # the module is where the change goes
        folder.chmod(0o555)
    return ["generate"]


def _read_only_parent(project: Path) -> list[str]:
    (project / "locked").mkdir(mode=0o555)
    return ["generate", "--out", "locked/terraform"]


def _unreadable_spec(project: Path) -> list[str]:
    _spec(project).chmod(0o000)
    return ["generate"]


def _unreadable_generated_file(project: Path) -> list[str]:
    (project / "terraform" / MODULE / "queues.tf").chmod(0o000)
    return ["generate"]


def _terraform_is_a_file(project: Path) -> list[str]:
    shutil.rmtree(project / "terraform")
    (project / "terraform").write_text("not a directory\n")
    return ["generate"]


def _directory_where_a_file_goes(project: Path) -> list[str]:
    (project / "terraform" / MODULE / "queues.tf").unlink()
    (project / "terraform" / MODULE / "queues.tf").mkdir()
    return ["generate"]


def _fifo_where_a_file_goes(project: Path) -> list[str]:
    (project / "terraform" / MODULE / "alarms.tf").unlink()
    os.mkfifo(project / "terraform" / MODULE / "alarms.tf")
    return ["generate"]


def _build_is_a_file(project: Path) -> list[str]:
    shutil.rmtree(project / "build")
    (project / "build").write_text("not a directory\n")
    return ["generate"]


def _spec_is_a_directory(project: Path) -> list[str]:
    (project / "other.toml").mkdir()
    return ["generate", "other.toml"]


def _spec_is_a_fifo(project: Path) -> list[str]:
    os.mkfifo(project / "other.toml")
    return ["generate", "other.toml"]


def _spec_missing(project: Path) -> list[str]:
    return ["generate", "nope.toml"]


def _spec_not_utf8(project: Path) -> list[str]:
    _spec(project).write_bytes(_spec(project).read_bytes().replace(b'name = "shop"', b'name = "sh\xf6p"'))
    return ["generate"]


def _nested(opening: str, closing: str, middle: str = "") -> Callable[[Path], list[str]]:
    def provoke(project: Path) -> list[str]:
        spec = _spec(project)
        deep = f"description = {opening * 5000}{middle}{closing * 5000}\n"
        spec.write_text(spec.read_text().replace("[queues.email]\n", f"[queues.email]\n{deep}"))
        return ["generate"]
    return provoke


def _generated_file_not_utf8(project: Path) -> list[str]:
    queues = project / "terraform" / MODULE / "queues.tf"
    queues.write_bytes(queues.read_bytes().replace(b"analytics", b"analyt\xefcs") + b"# \xff\n")
    return ["generate"]


def _journal(text: str) -> Callable[[Path], list[str]]:
    def provoke(project: Path) -> list[str]:
        (project / "terraform" / JOURNAL).write_text(text)
        return ["generate"]
    return provoke


FAILURES: dict[str, Failure] = {
    "terraform/ read-only": Failure(_read_only_terraform, "cannot write the file: Permission denied", True),
    "--out under a read-only folder": Failure(_read_only_parent, "cannot create the directory: Permission denied",
                                              True),
    "spec unreadable": Failure(_unreadable_spec, "cannot read the file: Permission denied", True),
    "generated file unreadable": Failure(_unreadable_generated_file, "cannot read the file: Permission denied",
                                         True),
    "terraform/ is a file": Failure(_terraform_is_a_file, "terraform: error: is not a directory"),
    "a directory where a generated file goes": Failure(_directory_where_a_file_goes,
                                                       "queues.tf: error: is not a regular file"),
    "a FIFO where a generated file goes": Failure(_fifo_where_a_file_goes, "alarms.tf: error: is not a regular file"),
    "build/ is a file": Failure(_build_is_a_file, "build/lambda: error: cannot write the Lambda zips: Not a directory"),
    "spec is a directory": Failure(_spec_is_a_directory, "other.toml: error: is a directory, not a file"),
    "spec is a FIFO": Failure(_spec_is_a_fifo, "other.toml: error: is not a regular file"),
    "spec missing": Failure(_spec_missing, "nope.toml: error: file not found"),
    "spec not UTF-8": Failure(_spec_not_utf8, "queues.toml:2:1: error: is not UTF-8 text"),
    "arrays nested 5000 deep": Failure(_nested("[", "]"), "error: arrays or inline tables are nested too deeply"),
    "inline tables nested 5000 deep": Failure(_nested("{ a = ", " }", "1"),
                                              "error: arrays or inline tables are nested too deeply"),
    "generated file not UTF-8": Failure(_generated_file_not_utf8, "queues.tf: error: carries the generated "
                                        "header but is not UTF-8 text"),
    "interrupted-write journal corrupt": Failure(_journal("{not json"), "the journal of an interrupted generate "
                                                 "cannot be read"),
    "journal naming a file outside terraform/": Failure(
        _journal('{"writes": [["../queues.toml", ".x.gen-tmp"]], "removes": []}'),
        "the journal of an interrupted generate cannot be read (not a plain file name: '../queues.toml')"),
}


@pytest.fixture
def project() -> Iterator[Path]:
    """A generated project in a folder an unprivileged user can reach (pytest's tmp_path is root-only)."""
    root = Path(tempfile.mkdtemp(prefix="safe-io-"))
    root.chmod(0o755)
    try:
        project = shop_project(root)
        generate(project / "queues.toml", project / "terraform")
        yield project
    finally:
        for path in [root, *root.rglob("*")]:  # undo what the cases did, so the folder can be deleted
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(root)


def _run(project: Path, argv: list[str], as_nobody: bool) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "generator", *argv]
    if as_nobody:
        for path in [project, *project.rglob("*")]:
            os.lchown(path, NOBODY, NOBODY)
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)


@functools.cache
def _nobody_cannot_run_the_generator() -> str:
    """Why the unprivileged user cannot run the generator here ('' when it can)."""
    if shutil.which("setpriv") is None:
        return "setpriv is missing"
    probe = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", sys.executable,
                            "-c", "import generator.cli"], cwd="/", capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"})
    return "" if probe.returncode == 0 else f"uid {NOBODY} cannot import the generator from {ROOT}"


@pytest.mark.parametrize("name", list(FAILURES))
def test_an_io_failure_is_a_clean_message_not_a_traceback(project: Path, name: str) -> None:
    failure = FAILURES[name]
    as_nobody = failure.needs_permissions and os.geteuid() == 0
    if as_nobody and (reason := _nobody_cannot_run_the_generator()):
        pytest.skip(f"root ignores file modes and {reason}: this permission case did NOT run")
    with case("I/O failure (clean message, exit 1, nothing written)"):
        argv = failure.provoke(project)
        before = snapshot(project / "terraform") if (project / "terraform").is_dir() else None

        result = _run(project, argv, as_nobody)

        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr, result.stderr
        assert failure.message in result.stderr, result.stderr
        assert result.stderr.rstrip().endswith("; nothing was written")
        if before is not None and os.access(project / "terraform", os.R_OK | os.X_OK):
            assert snapshot(project / "terraform") == before
