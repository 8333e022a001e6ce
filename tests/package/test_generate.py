"""`generate` packages before it renders: per-function "built"/"reused" and sizes on stdout, zips over 50 MB
through a hardened artifacts bucket, and nothing written (zips or Terraform) when anything is wrong."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from generator.cli import main
from generator.package import limits
from generator.plan.skips import SUPPRESSIONS
from tests.package.wheelmaker import TWO_FUNCTION_SPEC
from tests.terraform.test_checkov import _checkov

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


def _files(directory: Path) -> dict[str, bytes]:
    if not directory.exists():
        return {}
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    return {str(p.relative_to(directory)): p.read_bytes() for p in files}


def _make_worker_big(project: Path, size: int = 5000) -> None:
    (project / "lambdas" / "worker" / "model.bin").write_bytes(os.urandom(size))


def test_generate_says_built_then_reused_with_sizes(project: Path, capsys) -> None:
    spec = project / "queues.toml"
    assert main(["generate", str(spec)]) == 0
    out = capsys.readouterr().out
    api_zip = re.escape(str(project / "build/lambda/api-"))
    assert re.search(rf"  built     {api_zip}[0-9a-f]{{16}}\.zip  0\.0 MB\n", out), out
    assert re.search(r"  built     \S+/worker-[0-9a-f]{16}\.zip", out), out

    assert main(["generate", str(spec)]) == 0
    out = capsys.readouterr().out
    assert out.count("  reused    ") == 2 and "  built " not in out

    assert main(["generate", str(spec), "--check"]) == 0
    assert capsys.readouterr().out.count("  reused    ") == 2


def test_check_mode_never_writes_terraform(project: Path, capsys) -> None:
    spec = project / "queues.toml"
    main(["generate", str(spec)])
    before = _files(project / "terraform")
    _make_worker_big(project)

    assert main(["generate", str(spec), "--check"]) == 1

    assert _files(project / "terraform") == before
    assert "would be updated   " in capsys.readouterr().err


def _rendered_through_s3(project: Path, monkeypatch, capsys) -> str:
    monkeypatch.setattr(limits, "DIRECT_UPLOAD_LIMIT", 2000)
    _make_worker_big(project)
    assert main(["generate", str(project / "queues.toml")]) == 0
    return capsys.readouterr().out


def test_a_zip_over_the_direct_upload_limit_goes_through_the_artifacts_bucket(project: Path, monkeypatch,
                                                                              capsys) -> None:
    out = _rendered_through_s3(project, monkeypatch, capsys)

    assert re.search(r"worker-[0-9a-f]{16}\.zip  0\.0 MB  \(over 50 MB: deployed through S3\)", out), out
    functions = (project / "terraform" / "modules" / "pipeline" / "functions.tf").read_text()
    worker = functions[functions.index('resource "aws_lambda_function" "worker"'):]
    api = functions[functions.index('resource "aws_lambda_function" "api"'):functions.index("# worker")]
    assert re.search(r'resource "aws_s3_object" "worker_code" \{\n'
                     r'  bucket      = aws_s3_bucket\.artifacts\.id\n'
                     r'  key         = "worker/[A-Za-z0-9_-]{43}\.zip"\n', functions)
    assert "  s3_bucket        = aws_s3_object.worker_code.bucket\n" in worker
    assert "  s3_key           = aws_s3_object.worker_code.key\n" in worker
    assert "filename" not in worker[:worker.index("ephemeral_storage")]
    assert re.search(r'  filename         = "\$\{local.lambda_zip_dir\}/api-[0-9a-f]{16}\.zip"\n', api)
    artifacts = (project / "terraform" / "modules" / "pipeline" / "artifacts.tf").read_text()
    name = '"${local.name_prefix}shop-artifacts-${local.account_id}-${local.region}"'
    assert f"bucket = {name}" in artifacts
    for resource in ("aws_s3_bucket_ownership_controls", "aws_s3_bucket_public_access_block",
                     "aws_s3_bucket_versioning", "aws_s3_bucket_server_side_encryption_configuration",
                     "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_policy"):
        assert f'resource "{resource}" "artifacts"' in artifacts
    skips = re.findall(r"^  #checkov:skip=(\S+?):(.+)$", artifacts, re.MULTILINE)
    assert {check for check, _ in skips} == {"CKV_AWS_18", "CKV_AWS_144", "CKV2_AWS_62"}
    assert all(reason == SUPPRESSIONS[f"{check}.artifacts"] for check, reason in skips)


def test_the_artifacts_bucket_goes_away_with_the_last_big_zip(project: Path, monkeypatch, capsys) -> None:
    _rendered_through_s3(project, monkeypatch, capsys)
    (project / "lambdas" / "worker" / "model.bin").unlink()

    assert main(["generate", str(project / "queues.toml")]) == 0

    assert "removed   " in capsys.readouterr().out
    assert not (project / "terraform" / "modules" / "pipeline" / "artifacts.tf").exists()
    assert "aws_s3" not in (project / "terraform" / "modules" / "pipeline" / "functions.tf").read_text()


def test_the_s3_route_passes_checkov(project: Path, monkeypatch, capsys, checkov_bin) -> None:
    _rendered_through_s3(project, monkeypatch, capsys)
    report = _checkov(checkov_bin, project / "terraform")
    failed = report["results"]["failed_checks"]
    assert not failed, "\n".join(f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in failed)
    skipped = {(c["check_id"], c["resource"]) for c in report["results"]["skipped_checks"]}
    bucket = "module.pipeline.aws_s3_bucket.artifacts"
    assert {("CKV_AWS_18", bucket), ("CKV_AWS_144", bucket), ("CKV2_AWS_62", bucket)} <= skipped


@pytest.mark.slow
def test_a_real_zip_over_50_mb_is_deployed_through_s3(project: Path, capsys) -> None:
    _make_worker_big(project, size=50 * 1024 * 1024 + 1)  # random bytes: the zip stores them as they are
    assert main(["generate", str(project / "queues.toml")]) == 0
    assert re.search(r"worker-[0-9a-f]{16}\.zip  50\.0 MB  \(over 50 MB: deployed through S3\)",
                     capsys.readouterr().out)
    assert (project / "terraform" / "modules" / "pipeline" / "artifacts.tf").exists()


def test_a_project_name_too_long_for_the_bucket_fails_before_anything_is_written(project: Path, monkeypatch,
                                                                                 capsys) -> None:
    spec = project / "queues.toml"
    spec.write_text(TWO_FUNCTION_SPEC.format(project="a-very-long-project-name-x"))
    monkeypatch.setattr(limits, "DIRECT_UPLOAD_LIMIT", 2000)
    _make_worker_big(project)

    assert main(["generate", str(spec)]) == 1

    err = capsys.readouterr().err
    assert "queues.toml:2:1: error: project.name: 'a-very-long-project-name-x' is too long" in err
    assert "at most 25 characters" in err
    assert not (project / "terraform").exists() and not (project / "build" / "lambda").exists()


def test_a_requirement_pip_cannot_resolve_fails_before_anything_is_written(project: Path, capsys) -> None:
    (project / "lambdas" / "worker" / "requirements.txt").write_text("no-such-package==1.0\n")

    assert main(["generate", str(project / "queues.toml")]) == 1

    err = capsys.readouterr().err
    assert re.search(r"queues\.toml:\d+:\d+: error: functions\.worker: lambdas/worker/requirements\.txt: "
                     r"pip cannot download no-such-package==1\.0 for python3\.12 x86_64", err), err
    assert "nothing was written" in err
    assert not (project / "terraform").exists()
    assert not (project / "build" / "lambda").exists()


def test_check_reports_a_requirement_that_is_not_pinned(project: Path, capsys) -> None:
    (project / "lambdas" / "worker" / "requirements.txt").write_text("# deps\nrequests>=2\n")

    assert main(["check", str(project / "queues.toml")]) == 1

    err = capsys.readouterr().err
    assert re.search(r"queues\.toml:\d+:\d+: error: functions\.worker: lambdas/worker/requirements\.txt:2: "
                     r"'requests>=2' is not pinned to one version\n  hint: pin an exact version", err), err


def test_a_missing_handler_fails_before_anything_is_written(project: Path, capsys) -> None:
    (project / "lambdas" / "worker" / "handler.py").unlink()
    (project / "lambdas" / "worker" / "main.py").write_text(HANDLER)

    assert main(["generate", str(project / "queues.toml")]) == 1

    assert "handler module lambdas/worker/handler.py does not exist" in capsys.readouterr().err
    assert not (project / "terraform").exists() and not (project / "build").exists()
