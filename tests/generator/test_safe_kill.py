"""The generator never leaves a mixed tree unnoticed: a `generate` killed (SIGKILL, in a real subprocess) at any
point of its write leaves either the old tree or a journal, and the next run says the write was interrupted
and completes it. Two runs at once on one checkout never crash: the second waits for the first."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.cli import main
from generator.header import GENERATED_MARKER, stamp
from generator.write import JOURNAL, PAUSE_VARIABLE, TEMP_SUFFIX
from tests.conftest import ROOT
from tests.generator.safe_support import case, run_cli, shop_project, snapshot
from tests.generator.test_safe_moves import rename_email_key

pytestmark = pytest.mark.slow  # about 40 real generate processes

# The rename rewrites 6 generated files and creates moved.tf; the stale old.tf is deleted: 7 renames, 1 removal.
RENAMES = 7
PAUSE_POINTS = ["staged", "journal", *(f"renamed-{n}" for n in range(1, RENAMES + 1)), "removed"]
STALE = stamp(f"{GENERATED_MARKER} from queues.toml. DO NOT EDIT.\nlocals {{\n  gone = 1\n}}\n")


@pytest.fixture(scope="module")
def before_and_after(tmp_path_factory) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """A generated project (with a stale generated file to delete), and the terraform/ trees before and after
    the rename is generated."""
    root = tmp_path_factory.mktemp("kill")
    template = shop_project(root)
    assert run_cli("generate", cwd=template).returncode == 0
    (template / "terraform" / "old.tf").write_text(STALE)
    spec = template / "queues.toml"
    spec.write_text(rename_email_key(spec.read_text()))
    expected = root / "expected"
    shutil.copytree(template, expected)
    result = run_cli("generate", cwd=expected)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("updated   ") + result.stdout.count("created   ") == RENAMES
    return template, snapshot(template / "terraform"), snapshot(expected / "terraform")


def _start(project: Path, pause_at: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if pause_at:
        env[PAUSE_VARIABLE] = pause_at
    return subprocess.Popen([sys.executable, "-m", "generator", "generate"], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_pause(process: subprocess.Popen[str], point: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    assert process.stderr is not None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], deadline - time.monotonic())
        if not ready:
            break
        line = process.stderr.readline()
        if line == f"paused at {point}\n":
            return
        if not line:
            break
    process.kill()
    raise AssertionError(f"the run never paused at {point}: {process.communicate()}")


def _kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)


def _visible(tree: dict[str, bytes]) -> dict[str, bytes]:
    """What Terraform reads: every file but our hidden temporary files and journal."""
    return {name: data for name, data in tree.items() if not name.startswith(".")}


@pytest.mark.parametrize("point", PAUSE_POINTS)
def test_a_run_killed_at_any_point_of_its_write_is_detected_and_completed(before_and_after, tmp_path: Path,
                                                                         point: str, capsys) -> None:
    template, old_tree, new_tree = before_and_after
    with case("killed (SIGKILL) at each point of the write"):
        project = tmp_path / "project"
        shutil.copytree(template, project)
        out = project / "terraform"

        run = _start(project, pause_at=point)
        _wait_for_pause(run, point)
        _kill(run)

        killed = snapshot(out)
        journal = JOURNAL in killed
        mixed = _visible(killed) not in (_visible(old_tree), _visible(new_tree))
        assert journal or not mixed, "a mixed tree without a journal cannot be detected"
        assert journal == (point != "staged")  # the journal is the commit point
        spec = str(project / "queues.toml")
        capsys.readouterr()
        assert main(["generate", spec, "--check"]) == 1
        assert ("the last generate was interrupted" in capsys.readouterr().err) == journal

        assert main(["generate", spec]) == 0

        assert ("the last generate was interrupted" in capsys.readouterr().err) == journal
        assert snapshot(out) == new_tree  # complete, no temporary file or journal left
        assert not any(name.endswith(TEMP_SUFFIX) for name in snapshot(out))


def test_a_second_run_waits_for_the_first_and_then_finishes_its_interrupted_write(before_and_after,
                                                                                  tmp_path: Path, capsys) -> None:
    template, _, new_tree = before_and_after
    project = tmp_path / "project"
    shutil.copytree(template, project)
    first = _start(project, pause_at="renamed-3")
    _wait_for_pause(first, "renamed-3")

    second = _start(project, pause_at="locked")  # says so once it holds the lock
    with pytest.raises(AssertionError, match="never paused at locked"):
        _wait_for_pause(second, "locked", timeout=10)  # … which it cannot while the first run lives
    second = _start(project, pause_at="locked")
    _kill(first)
    _wait_for_pause(second, "locked")  # the first run's death released the lock
    _kill(second)

    assert main(["generate", str(project / "queues.toml")]) == 0
    assert "the last generate was interrupted while writing" in capsys.readouterr().err
    assert snapshot(project / "terraform") == new_tree


def test_two_runs_at_once_on_one_checkout_never_crash(tmp_path: Path) -> None:
    project = shop_project(tmp_path)
    spec = project / "queues.toml"
    original = spec.read_text()
    for attempt in range(5):
        with case("two generate runs at once on one checkout"):
            spec.write_text(original.replace("max_receive_count = 5", f"max_receive_count = {5 + attempt}"))
            runs = [_start(project), _start(project)]
            results = [run.communicate(timeout=120) for run in runs]

            for run, (out, err) in zip(runs, results, strict=True):
                assert run.returncode == 0, err
                assert "Traceback" not in out + err
            assert run_cli("generate", "--check", cwd=project).returncode == 0
            leftovers = [p.name for p in (project / "terraform").iterdir() if p.name.startswith(".")]
            assert leftovers == []
