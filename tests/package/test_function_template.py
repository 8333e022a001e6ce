"""The function template (examples/function-template/) passes `check` when copied into lambdas/ beside the
repository's lambdas/common/ and declared with the snippet of its own README; without its pins it fails, naming
the import the zip would lack. (The repository's other functions are left out: checking their imports exactly
needs their wheels, which a test does not download.)"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import ROOT

TEMPLATE = ROOT / "examples" / "function-template"
PROJECT = '[project]\nname = "template-check"\n\n[alarms]\ntopic_name = "template-check-alarms"\n\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """lambdas/common/ of the repository, the template copied and declared as its README says."""
    root = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "lambdas" / "common", root / "lambdas" / "common", ignore=ignore)
    shutil.copytree(TEMPLATE, root / "lambdas" / "my-function", ignore=ignore)
    (snippet,) = re.findall(r"```toml\n(.*?)```", (TEMPLATE / "README.md").read_text(), re.DOTALL)
    spec = root / "queues.toml"
    spec.write_text(PROJECT + re.sub(r"(?m)^ {3}", "", snippet))
    return spec


def test_the_template_passes_check_once_copied_and_declared(project: Path, capsys) -> None:
    assert main(["check", str(project)]) == 0, capsys.readouterr().err
    out, err = capsys.readouterr()
    assert out.endswith(": ok (1 queue, 1 function)\n"), out
    assert "my-function" not in err  # not even a warning about it


def test_without_its_pins_the_template_fails_check_naming_the_import(project: Path, capsys) -> None:
    (project.parent / "lambdas" / "my-function" / "requirements.txt").unlink()

    assert main(["check", str(project)]) == 1

    err = capsys.readouterr().err
    assert re.search(r"error: functions\.my-function: lambdas/my-function/handler\.py:\d+ \(and \d+ more\) imports "
                     r"aws_lambda_powertools, which is neither", err), err
    assert "hint: add `aws-lambda-powertools==3.37.0`" in err
