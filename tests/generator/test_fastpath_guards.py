"""What the fast path refuses to vouch for: a damaged stamp, arguments it does not know, a run that failed
or read an input while it changed, symlinks; and that it imports nothing heavy and misses no environment input."""

from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import fastpath, pipeline
from generator.cli import main
from tests.conftest import ROOT
from tests.generator.fastpath_project import (  # noqa: F401  (fixtures)
    fast,
    generate_argv,
    generator_copy_fixture,
    project_fixture,
    settle,
)


def _rewrite(change: Callable[[dict], object]) -> Callable[[Path], None]:
    """The stamp with one part changed in place by `change`."""
    def damage(stamp: Path) -> None:
        state = marshal.loads(stamp.read_bytes())
        change(state)
        stamp.write_bytes(marshal.dumps(state))
    return damage


STAMP_DAMAGE: dict[str, Callable[[Path], None]] = {
    "deleted": lambda stamp: stamp.unlink(),
    "truncated": lambda stamp: stamp.write_bytes(stamp.read_bytes()[:100]),
    "empty": lambda stamp: stamp.write_bytes(b""),
    "not marshal data": lambda stamp: stamp.write_bytes(b"\xff\xfe{not a stamp}"),
    "not a dict": lambda stamp: stamp.write_bytes(marshal.dumps(["key", "inputs"])),
    "a part missing": _rewrite(lambda state: state.pop("zips")),
    "a part of another type": _rewrite(lambda state: state.update(inputs="queues.toml")),
    "another format": _rewrite(lambda state: state["key"].update(format=0)),
    "a folder": lambda stamp: (stamp.unlink(), stamp.mkdir()),
}


@pytest.mark.parametrize("damage", STAMP_DAMAGE.values(), ids=STAMP_DAMAGE.keys())
def test_a_damaged_stamp_takes_the_full_path(project: Path, capsys, damage) -> None:
    damage(project / "build" / fastpath.STAMP_NAME)
    assert fast(project, capsys) is None


# Arguments the fast path does not know go to the full CLI, which decides (and prints usage if wrong).
@pytest.mark.parametrize("argv", [
    [], ["check"], ["check", "queues.toml"], ["generate", "--full"], ["generate", "--help"], ["generate", "-h"],
    ["generate", "--ch"], ["generate", "--allow-destroy"], ["generate", "a.toml", "b.toml"],
    ["generate", "--check", "--check"], ["generate", "--out"], ["generate", "--out", "--check"],
    ["generate", "--out="], ["generate", "--", "queues.toml"],
])
def test_unknown_arguments_go_to_the_full_cli(argv: list[str]) -> None:
    assert fastpath.parse(argv) is None


def test_an_input_changed_during_the_run_records_no_stamp(project: Path, capsys, monkeypatch) -> None:
    """Otherwise the stamp would vouch for the new content while the outputs came from the old one."""
    real_generate = pipeline.generate

    def generate_while_the_user_saves(spec: Path, out: Path, **options):
        result = real_generate(spec, out, **options)
        with spec.open("a") as handle:
            handle.write("# saved while generate ran\n")
        return result

    monkeypatch.setattr(pipeline, "generate", generate_while_the_user_saves)
    with (project / "queues.toml").open("a") as handle:
        handle.write("# a change\n")
    settle()
    assert main(generate_argv(project)) == 0
    assert not (project / "build" / fastpath.STAMP_NAME).exists()
    assert fast(project, capsys) is None


def test_a_failing_run_leaves_no_stamp_even_when_it_changed_nothing_the_stamp_covers(project: Path, capsys,
                                                                                      monkeypatch) -> None:
    """E.g. a run that is refused or killed after writing only part of what it would: nothing vouches for it."""
    def refused(spec: Path, out: Path, **options):
        raise pipeline.GeneratorError([])

    monkeypatch.setattr(pipeline, "generate", refused)
    assert main(generate_argv(project)) == 1
    assert fast(project, capsys) is None


def test_a_terraform_file_name_the_generator_writes_is_an_output_like_any_other(project: Path, capsys,
                                                                               monkeypatch) -> None:
    """Terraform's own files are ignored in terraform/ only while the generator does not write them itself."""
    real_generate = pipeline.generate

    def generate_with_a_lock_file(spec: Path, out: Path, **options):
        result = real_generate(spec, out, **options)
        (out / ".terraform.lock.hcl").write_text("# generated\n")
        result.files.append(("created", out / ".terraform.lock.hcl"))
        return result

    monkeypatch.setattr(pipeline, "generate", generate_with_a_lock_file)
    settle()
    assert main(generate_argv(project)) == 0
    assert fast(project, capsys) == 0
    (project / "terraform" / ".terraform.lock.hcl").write_text("# edited\n")
    assert fast(project, capsys) is None


def test_a_symlink_among_the_inputs_means_no_fast_path(project: Path, capsys) -> None:
    (project / "lambdas" / "worker" / "linked.py").symlink_to(project / "lambdas" / "worker" / "handler.py")
    settle()
    main(generate_argv(project))
    assert fast(project, capsys) is None


def test_check_with_drift_records_nothing_and_reports_it(project: Path, capsys) -> None:
    with (project / "terraform" / "modules" / "pipeline" / "queues.tf").open("a") as handle:
        handle.write("# by hand\n")
    assert fast(project, capsys, "--check") is None
    assert main([*generate_argv(project), "--check"]) == 1
    assert fast(project, capsys, "--check") is None


def test_the_stamp_is_written_atomically_beside_the_zips(project: Path) -> None:
    build = project / "build"
    assert (build / fastpath.STAMP_NAME).is_file()
    assert not [path for path in build.iterdir() if path.name.endswith(".tmp")]


def test_the_fast_path_fingerprints_the_generator_package_itself() -> None:
    package = Path(sys.modules["generator"].__file__).parent
    assert Path(fastpath.__dict__["_GENERATOR_DIR"]) == package  # not patched here
    assert (package / "templates").is_dir() and (package / "scaffold").is_dir()


# Files of generator/ that read the environment without changing what generate produces.
READS_ENVIRONMENT_FOR_OTHER_REASONS = {
    "tfcli.py": "Terraform's CLI configuration for the Makefile and the tests; generate never calls it",
    "pause.py": "GENERATOR_TEST_PAUSE_AT, a test hook that pauses a write at a named point; the files are the same",
    "review/gitref.py": "`diff` passes the environment on to git (PATH, HOME); generate never imports it",
}


def test_every_environment_variable_the_generator_reads_is_a_fast_path_input() -> None:
    pattern = re.compile(r"\b(os\.environ|environ\.get|getenv|environ\[)")
    readers = []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        relative = path.relative_to(ROOT / "generator").as_posix()
        if relative in READS_ENVIRONMENT_FOR_OTHER_REASONS or path.name == "fastpath.py" or relative.startswith(
                "local/"):  # the local stack (`up`, `down`, `status` …): generate never imports it
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if pattern.search(line):
                readers.append(f"generator/{relative}:{number}: {line.strip()}")
    assert not readers, ("these lines read the environment: if a variable changes what generate produces, add "
                         "it to fastpath.ENVIRONMENT_INPUTS; otherwise list the file in "
                         "READS_ENVIRONMENT_FOR_OTHER_REASONS with why\n" + "\n".join(readers))


def test_python_dash_m_generator_answers_without_importing_the_model_templates_or_packaging(
        project: Path) -> None:
    """The real entry point, in a new process: the fast path imports no pydantic, jinja2 or packaging."""
    command = [sys.executable, "-X", "importtime", "-m", "generator", *generate_argv(project)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    # The fixture's stamp came from the in-process run (the generator copy): a new process records its own.
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("nothing changed since the last generate"), second.stdout
    imported = {line.split("|")[-1].strip() for line in second.stderr.splitlines() if "|" in line}
    assert "generator.fastpath" in imported
    heavy = {name for name in imported if name.split(".")[0] in {"pydantic", "jinja2", "packaging", "pathlib", "json"}
             or name in {"generator.cli", "generator.pipeline", "generator.spec", "generator.package"}}
    assert not heavy, sorted(heavy)
