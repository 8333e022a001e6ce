"""The pre-commit hooks and the GitHub Actions workflow cannot run here (no GitHub): their YAML is parsed and
every step they rely on is checked against the project, and the hooks' commands are run as pre-commit would."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.review.markdown import MARKER
from tests.conftest import GOLDEN, ROOT, on_one_worker
from tests.terraform.provider_major import major_of

pytestmark = on_one_worker(__name__)  # its module fixtures are built once, not once per worker

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
PRE_COMMIT = ROOT / ".pre-commit-config.yaml"
# The actions used, at their current major versions (Node 24 runtimes); a typo or a stale major fails here.
KNOWN_ACTIONS = {"actions/checkout@v6", "actions/setup-python@v6", "hashicorp/setup-terraform@v4",
                 "github/codeql-action/upload-sarif@v4", "actions/github-script@v8"}


@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


@pytest.fixture(scope="module")
def hooks() -> dict[str, dict]:
    config = yaml.safe_load(PRE_COMMIT.read_text(encoding="utf-8"))
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def _steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def _step(workflow: dict, job: str, text: str) -> dict:
    return next(step for step in _steps(workflow, job) if text in step.get("run", "") + step.get("uses", ""))


def test_the_workflow_runs_on_pushes_and_pull_requests(workflow: dict) -> None:
    assert set(workflow["on"]) == {"push", "pull_request"}
    assert workflow["permissions"] == {"contents": "read"}


def test_every_action_is_a_real_one_at_a_current_major(workflow: dict) -> None:
    used = {step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step}
    assert used <= KNOWN_ACTIONS, used - KNOWN_ACTIONS
    assert used == KNOWN_ACTIONS


def test_the_test_job_runs_lint_drift_and_the_tests_with_tools_required(workflow: dict) -> None:
    runs = [step.get("run", "") for step in _steps(workflow, "test")]
    assert "make lint" in runs
    assert any(".venv/bin/python -m generator generate --check" in run and "git diff --exit-code" in run
               for run in runs)
    assert ".ci/run" in runs
    assert "REQUIRE_TOOLS=1" in (ROOT / ".ci" / "run").read_text() and "make test" in (ROOT / ".ci" / "run").read_text()
    terraform = _step(workflow, "test", "hashicorp/setup-terraform")["with"]
    assert terraform == {"terraform_version": "1.11.4", "terraform_wrapper": False}
    pythons = _step(workflow, "test", "actions/setup-python")["with"]["python-version"].split()
    assert {"3.11", "3.12", "3.13"} <= set(pythons)


def test_checkov_writes_the_sarif_file_the_upload_reads(workflow: dict) -> None:
    job = workflow["jobs"]["checkov"]
    assert job["permissions"]["security-events"] == "write"
    command = shlex.split(_step(workflow, "checkov", "checkov -d terraform")["run"])
    outputs = [command[i + 1] for i, word in enumerate(command) if word == "--output"]
    paths = command[command.index("--output-file-path") + 1].split(",")
    sarif = dict(zip(outputs, paths, strict=True))["sarif"]
    upload = _step(workflow, "checkov", "upload-sarif")
    assert upload["if"] == "always()"  # findings are uploaded even when checkov fails the step
    assert upload["with"]["sarif_file"] == sarif
    assert "make .venv-checkov/.installed" in [step.get("run") for step in job["steps"]]


def test_checkov_writes_sarif_there_when_run_as_the_workflow_runs_it(workflow: dict, checkov_bin: str,
                                                                      tmp_path: Path) -> None:
    """The exact command of the workflow, on a golden tree: the SARIF file appears where the upload reads it."""
    command = shlex.split(_step(workflow, "checkov", "checkov -d terraform")["run"])
    work = tmp_path / "repo"
    (work / "terraform").mkdir(parents=True)
    for tf in (GOLDEN / "tenants").glob("*.tf"):
        (work / "terraform" / tf.name).write_bytes(tf.read_bytes())
    env = {**os.environ, **_step(workflow, "checkov", "checkov -d terraform")["env"]}
    subprocess.run([checkov_bin, *command[1:]], cwd=work, env=env, capture_output=True, timeout=600)
    sarif = _step(workflow, "checkov", "upload-sarif")["with"]["sarif_file"]
    assert (work / sarif).is_file()
    assert '"version": "2.1.0"' in (work / sarif).read_text()


def test_the_provider_job_checks_both_majors_of_the_aws_provider(workflow: dict) -> None:
    job = workflow["jobs"]["provider-majors"]
    majors = job["strategy"]["matrix"]["aws"]
    assert [major_of(constraint) for constraint in majors] == [5, 6]
    assert job["strategy"]["fail-fast"] is False  # one major failing still shows the other's result
    assert _step(workflow, "provider-majors", "hashicorp/setup-terraform")["with"] == {
        "terraform_version": "1.11.4", "terraform_wrapper": False}
    assert "make .venv/.generator" in [step.get("run") for step in job["steps"]]
    check = _step(workflow, "provider-majors", "tests.terraform.provider_major")
    # the matrix value reaches the shell through the environment, quoted, never pasted into the script
    assert check["env"]["AWS_MAJOR"] == "${{ matrix.aws }}"
    assert check["run"] == '.venv/bin/python -m tests.terraform.provider_major "$AWS_MAJOR"'


def test_the_provider_check_needs_only_the_generators_virtualenv() -> None:
    """The job installs requirements/generator.lock only: the check and what it imports must not need pytest."""
    code = ("import sys, builtins; real = builtins.__import__\n"
            "def guard(name, *a, **k):\n"
            "    if name.split('.')[0] in ('pytest', 'yaml', 'moto', 'boto3'): raise ImportError(name)\n"
            "    return real(name, *a, **k)\n"
            "builtins.__import__ = guard\n"
            "import tests.terraform.provider_major")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_diff_job_posts_the_summary_on_pull_requests_only(workflow: dict) -> None:
    job = workflow["jobs"]["topology-diff"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert job["permissions"]["pull-requests"] == "write"
    assert _step(workflow, "topology-diff", "actions/checkout")["with"]["fetch-depth"] == 0
    diff = _step(workflow, "topology-diff", "generator diff")
    # the branch name reaches the shell through the environment, never pasted into the script (injection)
    assert "${{" not in diff["run"] and diff["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert re.search(r'python -m generator diff "origin/\$BASE_REF" > topology-diff\.md', diff["run"])
    script = _step(workflow, "topology-diff", "actions/github-script")["with"]["script"]
    assert f"'{MARKER}'" in script and "topology-diff.md" in script
    assert "updateComment" in script and "createComment" in script


@pytest.mark.parametrize("target", [".venv/.generator", ".venv-checkov/.installed"])
def test_the_make_targets_the_workflow_calls_exist(target: str) -> None:
    result = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_hooks_are_the_five_the_project_needs(hooks: dict[str, dict]) -> None:
    assert set(hooks) == {"ruff", "mypy", "terraform-fmt", "generated-files-current", "checkov"}
    assert all(hook["language"] == "system" for hook in hooks.values())
    assert hooks["generated-files-current"]["pass_filenames"] is False
    assert re.search(hooks["generated-files-current"]["files"], "queues.toml")
    assert re.search(hooks["generated-files-current"]["files"], "docs/runbook.md")
    assert re.search(hooks["terraform-fmt"]["files"], "terraform/modules/pipeline/queues.tf")
    assert hooks["mypy"]["pass_filenames"] is False  # mypy checks what pyproject.toml names, as `make lint` does
    assert re.search(hooks["mypy"]["files"], "generator/ops/redrive.py")
    assert re.search(hooks["mypy"]["files"], "pyproject.toml")
    assert not re.search(hooks["mypy"]["files"], "tests/conftest.py")


def _run_hook(hook: dict, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*shlex.split(hook["entry"]), *files], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_the_ruff_hook_runs_the_projects_ruff(hooks: dict[str, dict]) -> None:
    result = _run_hook(hooks["ruff"], "generator/cli.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_mypy_hook_runs_the_projects_mypy_clean(hooks: dict[str, dict]) -> None:
    result = _run_hook(hooks["mypy"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found"), result.stdout


def test_make_lint_runs_ruff_then_mypy() -> None:
    """The workflow's `make lint` step is where CI type-checks: the target runs both tools."""
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert [line.split(" -m ")[1].split()[0] for line in recipe.splitlines()] == ["ruff", "mypy"], recipe


def test_the_drift_hook_passes_on_the_committed_tree(hooks: dict[str, dict]) -> None:
    result = _run_hook(hooks["generated-files-current"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date with queues.toml" in result.stdout


def test_the_fmt_hook_accepts_the_generated_files(hooks: dict[str, dict], terraform_bin: str) -> None:
    result = _run_hook(hooks["terraform-fmt"], *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "terraform").glob(
        "*.tf")))
    assert result.returncode == 0, result.stdout + result.stderr
