"""Several `generate` runs at once on one checkout never crash and leave one sound zip per function.

Real processes, released together by a start file. Each writes its Terraform to its own --out folder: how
terraform/ itself is written belongs to the pipeline's write stage; here it is the packaging that is shared
(build/lambda/ and build/wheels/). To make the runs overlap where it matters on a machine of any speed, each
process pauses for a moment after writing a zip's temporary file, before moving it into place (the window in
which a fixed temporary name collided)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.package.wheelmaker import TWO_FUNCTION_SPEC, make_wheel

RUNS = 4
_RUN_WHEN_RELEASED = """
import os, sys, time
import generator.package.build as build
from generator.cli import main

def write_then_pause(path, members, write_zip=build.write_zip):
    written = write_zip(path, members)
    time.sleep(0.3)
    return written

build.write_zip = write_then_pause
while not os.path.exists(sys.argv[1]):
    time.sleep(0.005)
sys.exit(main(["generate", sys.argv[2], "--out", sys.argv[3]]))
"""


def _project(root: Path, index: Path) -> Path:
    for key in ("api", "worker"):
        (root / "lambdas" / key).mkdir(parents=True)
        (root / "lambdas" / key / "handler.py").write_text("def lambda_handler(event, context):\n    return {}\n")
        (root / "lambdas" / key / "requirements.txt").write_text("tinylib==1.0\n")
    (root / "lambdas" / "worker" / "model.bin").write_bytes(os.urandom(1024 * 1024))
    (root / "lambdas" / "common").mkdir()
    (root / "lambdas" / "common" / "__init__.py").write_text("")
    make_wheel(index, "tinylib", "1.0", {"tinylib/__init__.py": "X = 1\n"})
    spec = root / "queues.toml"
    spec.write_text(TWO_FUNCTION_SPEC.format(project="race"))
    return spec


def _generate_at_once(spec: Path, start: Path) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = [
        subprocess.Popen([sys.executable, "-c", _RUN_WHEN_RELEASED, str(start), str(spec),
                          str(spec.parent / f"terraform-{number}")],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for number in range(RUNS)
    ]
    time.sleep(1.5)  # every interpreter is up and waiting
    start.touch()
    results = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def _fresh_checkout(spec: Path) -> None:
    pass


def _generate_once(spec: Path) -> None:
    subprocess.run([sys.executable, "-m", "generator", "generate", str(spec), "--out", str(spec.parent / "seed")],
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True, capture_output=True)


def _wheels_cached_zips_missing(spec: Path) -> None:
    _generate_once(spec)
    for built in (spec.parent / "build" / "lambda").iterdir():
        built.unlink()


def _older_zips_present(spec: Path) -> None:
    _generate_once(spec)
    for key in ("api", "worker"):  # the sources change after that build: every run replaces the old zips
        (spec.parent / "lambdas" / key / "handler.py").write_text("def lambda_handler(event, context):\n    pass\n")


SCENARIOS = {
    "fresh checkout (wheels downloaded at once)": _fresh_checkout,
    "wheels cached, zips missing": _wheels_cached_zips_missing,
    "older zips of each function present": _older_zips_present,
}


@pytest.mark.parametrize("prepare", [pytest.param(step, id=name, marks=pytest.mark.family("concurrency"))
                                     for name, step in SCENARIOS.items()])
def test_generate_runs_at_once_never_crash(tmp_path: Path, local_index: Path, prepare) -> None:
    spec = _project(tmp_path / "checkout", local_index)
    prepare(spec)

    results = _generate_at_once(spec, spec.parent / "go")

    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr, result.stderr
    build = spec.parent / "build" / "lambda"
    zips = sorted(path.name for path in build.glob("*.zip"))
    assert [name.rsplit("-", 1)[0] for name in zips] == ["api", "worker"], zips
    for key in ("api", "worker"):
        manifest = json.loads((build / f"{key}.json").read_text())
        zip_path = build / manifest["zip"]
        assert zip_path.stat().st_size == manifest["zip_size"]
        with zipfile.ZipFile(zip_path) as archive:
            assert archive.testzip() is None
    rendered = {(spec.parent / f"terraform-{n}" / "modules" / "pipeline" / "functions.tf").read_text()
                for n in range(RUNS)}
    assert len(rendered) == 1  # every run saw the same zips
    assert not [p.name for p in build.iterdir() if p.name.endswith(".tmp")]
