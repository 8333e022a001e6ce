"""bench/package.py runs end to end on a small topology (offline, local wheels) and prints its figures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.package.wheelmaker import TWO_FUNCTION_SPEC, make_wheel


@pytest.mark.slow
def test_the_benchmark_prints_every_figure(tmp_path: Path, local_index: Path) -> None:
    make_wheel(local_index, "tinylib", "1.0", {"tinylib/__init__.py": "X = 1\n" * 1000})
    project = tmp_path / "project"
    for key, requirements in (("api", ""), ("worker", "tinylib==1.0\n")):
        (project / "lambdas" / key).mkdir(parents=True)
        handler = "def lambda_handler(event, context):\n    pass\n"
        (project / "lambdas" / key / "handler.py").write_text(handler)
        (project / "lambdas" / key / "requirements.txt").write_text(requirements)
    (project / "queues.toml").write_text(TWO_FUNCTION_SPEC.format(project="bench"))
    before = sorted(p.relative_to(project) for p in project.rglob("*"))

    result = subprocess.run([sys.executable, str(ROOT / "bench" / "package.py"), "--spec",
                             str(project / "queues.toml"), "--runs", "1"],
                            capture_output=True, text=True, timeout=300, check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"Packaging 2 functions from {project / 'queues.toml'} with its lambdas/; median of 1 run" in out
    for figure in ("cold, nothing cached", "cold, wheels cached", "no change",
                   "one function changed (worker)", "pip install of worker's cached wheels alone"):
        assert re.search(rf"  {re.escape(figure)}.* +\d+\.\d\d s", out), (figure, out)
    assert re.search(r"  api +0\.0 MB zipped +0\.0 MB unzipped\n", out), out
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before  # worked on a copy
