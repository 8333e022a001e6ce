"""A stale or missing zip can never be deployed: the zip's name carries the input hash the HCL deploys it under,
the packager removes a function's older zips, and `terraform plan` fails with "run `make generate`" when the
zip the HCL names is not there (after a `git pull` without `make generate`, or on a fresh clone). The plan
covers both routes: `api` uploaded directly, `worker` through the artifacts bucket."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.package import limits
from tests.package.wheelmaker import TWO_FUNCTION_SPEC
from tests.terraform.sts_stub import ACCOUNT_ID, StsStub
from tests.terraform.tf import Workdir

HANDLER = "def lambda_handler(event, context):\n    return {}\n"


@pytest.fixture
def project(tmp_path: Path, local_index: Path) -> Path:
    root = tmp_path / "shop"
    for key in ("api", "worker"):
        (root / "lambdas" / key).mkdir(parents=True)
        (root / "lambdas" / key / "handler.py").write_text(HANDLER)
    (root / "lambdas" / "common").mkdir()
    (root / "lambdas" / "common" / "__init__.py").write_text("")
    (root / "queues.toml").write_text(TWO_FUNCTION_SPEC.format(project="shop"))
    return root


def _generate(project: Path, capsys) -> None:
    assert main(["generate", str(project / "queues.toml")]) == 0, capsys.readouterr().err
    capsys.readouterr()


def _zips(project: Path) -> list[str]:
    return sorted(path.name for path in (project / "build" / "lambda").glob("*.zip"))


def test_a_changed_function_gets_a_new_zip_and_its_old_one_goes(project: Path, capsys) -> None:
    _generate(project, capsys)
    before = _zips(project)
    (project / "lambdas" / "worker" / "handler.py").write_text(HANDLER + "# v2\n")

    _generate(project, capsys)

    after = _zips(project)
    assert [name for name in after if name.startswith("api-")] == [n for n in before if n.startswith("api-")]
    (old_worker,) = [name for name in before if name.startswith("worker-")]
    (new_worker,) = [name for name in after if name.startswith("worker-")]
    assert new_worker != old_worker and re.fullmatch(r"worker-[0-9a-f]{16}\.zip", new_worker)
    manifest = json.loads((project / "build" / "lambda" / "worker.json").read_text())
    assert manifest["zip"] == new_worker
    assert manifest["files"]["handler.py"] == "lambdas/worker/handler.py"
    functions = (project / "terraform" / "modules" / "pipeline" / "functions.tf").read_text()
    assert f'fileexists("${{local.lambda_zip_dir}}/{new_worker}")' in functions
    assert manifest["input_hash"] in functions


def _plan_errors(work: Workdir) -> str:
    result = work.run("plan", "-input=false", "-lock=false", check=False)
    return "" if result.returncode == 0 else " ".join(result.stderr.split())


def _missing(zip_name: str) -> str:
    return (f"Lambda zip {zip_name} is missing from ./../build/lambda: it is built from the sources this "
            "source_code_hash stands for, so run `make generate` (after every git pull too).")


@pytest.mark.terraform
def test_the_plan_deploys_the_zips_named_and_fails_when_one_is_missing_or_stale(project: Path, capsys, monkeypatch,
                                                                            terraform_bin, tmp_path: Path) -> None:
    monkeypatch.setattr(limits, "DIRECT_UPLOAD_LIMIT", 2000)  # worker goes through S3, api is uploaded directly
    (project / "lambdas" / "worker" / "model.bin").write_bytes(os.urandom(5000))  # incompressible: over 2000
    _generate(project, capsys)
    built = project / "build" / "lambda"
    older = tmp_path / "zips-before-the-pull"
    shutil.copytree(built, older)
    (project / "lambdas" / "worker" / "handler.py").write_text(HANDLER + "# after the pull\n")
    _generate(project, capsys)
    api_zip, worker_zip = _zips(project)

    work = Workdir(project / "terraform", tmp_path / "tf")  # links project/build where ../build points
    work.init()
    work.run("validate")
    with StsStub() as sts:
        work.offline_provider_override(sts.url)
        plan = work.plan_json()  # every zip the HCL names is there
        planned = {change["address"].removeprefix("module.pipeline."): change["change"]["after"]
                   for change in plan["resource_changes"]}
        assert planned["aws_s3_bucket.artifacts"]["bucket"] == f"shop-artifacts-{ACCOUNT_ID}-us-east-1"
        assert planned["aws_s3_object.worker_code"]["key"].startswith("worker/")
        assert planned["aws_s3_object.worker_code"]["source"].endswith(f"build/lambda/{worker_zip}")
        assert planned["aws_lambda_function.worker"]["s3_key"] == planned["aws_s3_object.worker_code"]["key"]
        assert planned["aws_lambda_function.api"]["filename"].endswith(f"build/lambda/{api_zip}")

        shutil.rmtree(built)
        shutil.copytree(older, built)  # the HCL of the pull, the zips of before it
        stale = _plan_errors(work)
        assert stale.count(_missing(worker_zip)) == 1, stale  # the S3 object the function is deployed from
        assert 'in resource "aws_s3_object" "worker_code"' in stale, stale
        assert api_zip not in stale  # api's sources did not change: its zip is the same

        shutil.rmtree(built)  # a fresh clone: no zips at all
        missing = _plan_errors(work)
        assert _missing(api_zip) in missing and _missing(worker_zip) in missing, missing
        assert 'in resource "aws_lambda_function" "api"' in missing, missing
